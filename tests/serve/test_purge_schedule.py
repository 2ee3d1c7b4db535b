"""The bug of issue 13: nothing ever called StateStore.purge(), so the state file only grew.
`broker serve` purges on a schedule; one worker per period does it, whichever claims it first, on
an SQLite file and on PostgreSQL."""

import os
import signal
import sqlite3
import subprocess
import time

import psycopg
import pytest

from broker.storage.database import engine_of
from broker.storage.state import StateStore
from demo.environment import free_port, prepare, write_broker_config
from tests.serve.nodes import BROKER_CMD, wait_until_up


def count(path, table):
    if engine_of(path) == "postgresql":
        with psycopg.connect(path) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_broker_serve_purges_expired_state_once_across_workers(tmp_path, request, engine):
    env = prepare(str(tmp_path / "demo"), signing_key_bits=2048)
    if engine == "postgresql":
        env.broker["STATE_DB"] = request.getfixturevalue("postgres_url")
    path = env.broker["STATE_DB"]
    state = StateStore(path)
    values = dict(browser="b", sp_entity_id="sp", request_id="r", acs_url="a", relay_state=None)
    for name, expires in (("_expired", time.time() - 1), ("_live", time.time() + 3600)):
        made = state.create_flow(force_authn=0, requested_context=None, **values)
        state.update_flow(made.id, expires=expires)
        state.first_sighting(name, expires)
        state.conn.execute("UPDATE seen_assertions SET expires=? WHERE id=?", (expires, name))  # past the floor
    state.close()

    port = free_port()
    config = str(tmp_path / "broker.toml")
    secrets = write_broker_config(env, config, bind=f"127.0.0.1:{port}", workers=2)
    log = open(tmp_path / "broker.log", "w+")
    process = subprocess.Popen(
        [BROKER_CMD, "serve", "--config", config],
        env=dict(os.environ, **secrets),
        stderr=log,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        deadline = time.time() + 20
        while count(path, "flows") > 1 and time.time() < deadline:
            time.sleep(0.2)
        assert count(path, "flows") == 1, "the expired flow is purged, the live one stays"
        assert count(path, "seen_assertions") == 1
        time.sleep(3)  # the other worker had its chance too
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    log.seek(0)
    assert len([line for line in log if "state purged" in line]) == 1, "one worker purged, the other found it done"
