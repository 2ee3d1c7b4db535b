"""BROKER_PROFILE_DIR (bench/login.py --profile): each gunicorn worker writes where its CPU went."""

import json
import os
import pstats
import signal
import subprocess

import pytest
import requests

from demo.environment import copy_policies, free_port, prepare, write_broker_config
from tests.serve.nodes import BROKER_CMD, wait_until_up


@pytest.mark.parametrize("mode", ["split", "cprofile"])
def test_a_worker_writes_its_profile_on_exit(tmp_path, mode):
    port = free_port()
    env = prepare(
        str(tmp_path / "demo"),
        broker_url=f"http://localhost:{port}",
        policy_dir=copy_policies(str(tmp_path / "policies")),
    )
    config = str(tmp_path / "broker.toml")
    secrets = write_broker_config(env, config, bind=f"127.0.0.1:{port}", workers=1)
    folder = tmp_path / "profile"
    folder.mkdir()
    process = subprocess.Popen(
        [BROKER_CMD, "serve", "--config", config],
        start_new_session=True,
        env=dict(os.environ, **secrets, BROKER_PROFILE_DIR=str(folder), BROKER_PROFILE_MODE=mode),
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        for _ in range(3):
            assert requests.get(f"http://127.0.0.1:{port}/saml/idp/metadata", timeout=5).status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    [written] = os.listdir(folder)
    if mode == "split":
        figures = json.loads((folder / written).read_text())
        assert figures["requests"] == 3  # the metadata three times; the start-up's /healthz polls left out
        assert figures["wsgi"] >= figures["views"] >= figures["crypto"] > 0  # the metadata is signed
        assert figures["calls"]["sign"] >= 1  # signed once, then served from a cache
    else:
        functions = {name for (_file, _line, name) in pstats.Stats(str(folder / written)).stats}
        assert "idp_metadata" in functions


def test_the_split_mode_s_timed_state_connection_takes_part_in_transactions(tmp_path):
    """A login's transaction (state.transaction) on the state connection profiling wraps: the
    wrapper is still an SQLite connection to broker.storage, and its statements are counted."""
    from broker.ops import profiling
    from broker.storage.state import StateStore

    state = StateStore(str(tmp_path / "state.db"))
    split = {"sql": 0.0, "statements": 0}
    state._db._local.conn = profiling._TimedConnection(state.conn, split)
    with state.transaction():
        assert state.first_sighting("_assertion", 0)
    assert not state.first_sighting("_assertion", 0)
    assert split["statements"] >= 4  # BEGIN, INSERT, COMMIT, the second INSERT
