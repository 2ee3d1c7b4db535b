"""/readyz probes what a login needs: a write to the state file and to the mandates store, free
disk space in both files' folders, the signing key loadable. Each fault gives 503 naming the
failing check; the repair turns the same app green again, without a restart.

As root: a tiny tmpfs is mounted for the full disk, and `chattr +i` makes a file refuse writes
(root ignores mode 0444; the immutable flag it does not)."""

import contextlib
import os
import sqlite3
import subprocess

import psycopg
import pytest

from broker import create_app
from tests.postgres import PostgresServer

MOUNT_SIZE = "4m"


@contextlib.contextmanager
def tiny_tmpfs(path):
    os.makedirs(path)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={MOUNT_SIZE}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


@contextlib.contextmanager
def immutable(path):
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def fill(folder) -> str:
    filler = os.path.join(folder, "filler")
    with open(filler, "wb") as handle:
        with contextlib.suppress(OSError):  # ENOSPC: the disk is full
            while True:
                handle.write(b"x" * 65536)
                handle.flush()
    return filler


def ready(client):
    response = client.get("/readyz")
    return response.status_code, response.get_json()


def assert_green(client):
    status, body = ready(client)
    assert (status, body["status"]) == (200, "ready"), body
    assert set(body["checks"]) >= {"state_db", "store_db", "disk_space", "signing_key"}
    assert body["failing"] == []


def assert_failing(client, check):
    status, body = ready(client)
    assert (status, body["status"]) == (503, "not ready"), body
    assert check in body["failing"] and body["checks"][check] != "ok", body
    return body["checks"][check]


def test_a_full_disk_under_the_state_file_is_not_ready_until_space_is_freed(demo, tmp_path):
    with tiny_tmpfs(tmp_path / "small") as small:
        config = dict(demo.broker, STATE_DB=str(small / "state.db"), MIN_FREE_DISK_MB=1)
        client = create_app(config).test_client()
        assert_green(client)
        filler = fill(small)
        assert os.statvfs(small).f_bavail == 0
        reason = assert_failing(client, "disk_space")
        assert str(small) in reason  # names the folder
        os.remove(filler)
        assert_green(client)


@pytest.mark.parametrize("key", ["STATE_DB", "STORE_DB"])
def test_a_database_file_that_refuses_writes_is_not_ready_until_writable(demo, key):
    client = create_app(demo.broker).test_client()
    assert_green(client)
    path = demo.broker[key]
    with immutable(path):
        with pytest.raises(PermissionError):  # really refused, root included
            open(path, "r+b").close()
        assert f"{path}: not writable" in assert_failing(client, key.lower())
    assert_green(client)


def test_a_removed_or_broken_signing_key_is_not_ready_until_restored(demo):
    client = create_app(demo.broker).test_client()
    assert_green(client)
    path = demo.broker["SIGNING_KEY"]
    os.rename(path, path + ".away")
    assert "No such file" in assert_failing(client, "signing_key")
    os.rename(path + ".away", path)
    assert_green(client)
    original = open(path, "rb").read()
    with open(path, "wb") as handle:
        handle.write(b"-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    assert_failing(client, "signing_key")
    with open(path, "wb") as handle:
        handle.write(original)
    assert_green(client)


def test_a_bulk_import_holding_the_store_lock_leaves_the_node_ready(demo):
    """Logins only read the store, and WAL readers go on beside a writer: its lock is no fault."""
    client = create_app(demo.broker).test_client()
    writer = sqlite3.connect(demo.broker["STORE_DB"], isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        assert_green(client)
    finally:
        writer.close()


def test_the_state_on_postgresql_is_ready_only_while_reachable_writable_and_current(demo):
    """A throw-away server of its own, to stop: unreachable, then (a new server) read-only like a
    standby, then a schema older than the code; the disk check leaves the URL alone."""
    from broker.storage.schema import SCHEMA_VERSION

    server = PostgresServer().start()
    try:
        url = server.create_database("state")
        app = create_app(dict(demo.broker, STATE_DB=url))
        client = app.test_client()
        assert_green(client)
        assert ready(client)[1]["checks"]["disk_space"] == "ok"
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute("ALTER DATABASE state SET default_transaction_read_only = on")
        assert "not writable: cannot execute UPDATE in a read-only transaction" in assert_failing(client, "state_db")
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute("ALTER DATABASE state RESET default_transaction_read_only")
        assert_green(client)
        app.extensions["state"].conn.execute("UPDATE state_schema_version SET version=?", (SCHEMA_VERSION - 1,))
        reason = assert_failing(client, "state_db")
        assert reason == f"RuntimeError: schema version {SCHEMA_VERSION - 1}, this code needs {SCHEMA_VERSION}"
        app.extensions["state"].conn.execute("UPDATE state_schema_version SET version=?", (SCHEMA_VERSION,))
        assert_green(client)
        app.extensions["state"].close()
    finally:
        server.stop()
    assert assert_failing(client, "state_db").startswith("ConnectionError: unreachable: ")


def test_a_state_file_of_another_schema_version_is_not_ready(demo):
    from broker.storage.schema import SCHEMA_VERSION

    client = create_app(demo.broker).test_client()
    with sqlite3.connect(demo.broker["STATE_DB"]) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    reason = assert_failing(client, "state_db")
    assert reason == f"RuntimeError: schema version {SCHEMA_VERSION - 1}, this code needs {SCHEMA_VERSION}"
