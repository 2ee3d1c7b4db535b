"""The state file's numbered migrations: a new file, a file of the first releases (version 1,
with or without the directed-login columns and the audit table), processes opening a new database
at once (both engines; tests/storage/test_engines.py has the rest on both)."""

import multiprocessing
import sqlite3

import pytest

from broker.storage.audit import AuditTrail
from broker.storage.schema import SCHEMA_VERSION
from broker.storage.state import StateStore

# The first releases' DDL, as they ran it on every start (then set user_version 1).
OLD_STATE = """
CREATE TABLE flows (
    id TEXT PRIMARY KEY, browser TEXT NOT NULL, sp_entity_id TEXT NOT NULL, request_id TEXT NOT NULL,
    acs_url TEXT NOT NULL, relay_state TEXT, force_authn INTEGER NOT NULL DEFAULT 0, requested_context TEXT,
    upstream_request_id TEXT UNIQUE, session_id TEXT, choices TEXT, created REAL NOT NULL, expires REAL NOT NULL
    {late_columns}
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY, person TEXT NOT NULL, person_name TEXT NOT NULL, authn_context TEXT NOT NULL,
    authn_instant TEXT NOT NULL, upstream_name_id TEXT NOT NULL, upstream_name_id_format TEXT,
    upstream_session_index TEXT, created REAL NOT NULL, expires REAL NOT NULL, last_seen REAL NOT NULL, ended REAL
);
CREATE TABLE participants (
    session_id TEXT NOT NULL REFERENCES sessions(id), sp_entity_id TEXT NOT NULL, name_id TEXT NOT NULL,
    name_id_format TEXT NOT NULL, session_index TEXT NOT NULL, option_key TEXT NOT NULL,
    PRIMARY KEY (session_id, sp_entity_id)
);
CREATE TABLE logouts (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, initiator TEXT, initiator_request_id TEXT, relay_state TEXT,
    pending TEXT NOT NULL, outstanding_request_id TEXT, created REAL NOT NULL, expires REAL NOT NULL
);
CREATE TABLE seen_assertions (id TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE INDEX flows_expires ON flows(expires);
CREATE INDEX seen_assertions_expires ON seen_assertions(expires);
INSERT INTO flows (id, browser, sp_entity_id, request_id, acs_url, upstream_request_id, created, expires)
    VALUES ('_old', 'b', 'sp', 'r', 'a', '_up', 0, 4102444800);
INSERT INTO seen_assertions VALUES ('_seen', 4102444800);
INSERT INTO sessions VALUES ('_s', 'p', 'n', 'c', 'i', 'u', NULL, NULL, 0, 4102444800, 4102444800, NULL);
INSERT INTO participants VALUES ('_s', 'sp-joined-first', 'n1', 'f', 'i', 'k');
INSERT INTO participants VALUES ('_s', 'sp-a-joined-second', 'n2', 'f', 'i', 'k');
PRAGMA user_version = 1;
"""
LATE_COLUMNS = ", requested_giver TEXT, requested_taker TEXT, switch INTEGER NOT NULL DEFAULT 0"
OLD_AUDIT = """
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, application TEXT, person TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'refused')), kind TEXT, giver TEXT, taker TEXT,
    mandate_id TEXT, mandate_type TEXT, reason TEXT
);
CREATE INDEX audit_at ON audit(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
INSERT INTO audit (at, outcome, reason) VALUES ('2026-11-30T10:00:00.000+00:00', 'refused', 'before the upgrade');
"""


def version(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def test_a_new_file_is_migrated_to_the_current_version_in_wal(tmp_path):
    path = str(tmp_path / "state.db")
    state = StateStore(path)
    assert version(path) == SCHEMA_VERSION
    assert state.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert state.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.parametrize("late_columns", ["", LATE_COLUMNS], ids=["before-directed-login", "with-directed-login"])
@pytest.mark.parametrize("with_audit", [False, True], ids=["no-audit", "audit"])
def test_a_version_1_file_upgrades_keeping_its_rows(tmp_path, late_columns, with_audit):
    path = str(tmp_path / "state.db")
    with sqlite3.connect(path) as db:
        db.executescript(OLD_STATE.format(late_columns=late_columns) + (OLD_AUDIT if with_audit else ""))
    state = StateStore(path)
    audit = AuditTrail(path, connection=lambda: state.conn)
    assert version(path) == SCHEMA_VERSION
    flow = state.flow_for_upstream("_up", "b")
    assert (flow.id, flow.requested_giver, flow.requested_taker, flow.switch) == ("_old", None, None, 0)
    state.update_flow(flow.id, requested_giver="0123456789", switch=1)
    assert state.flow("_old", "b").requested_giver == "0123456789"
    assert not state.first_sighting("_seen", 0), "the replay cache survives the upgrade"
    joined = [p.sp_entity_id for p in state.participants("_s")]
    assert joined == ["sp-joined-first", "sp-a-joined-second"], "the rowid order becomes the seq order"
    audit.refused("after the upgrade")
    reasons = [entry.reason for entry in audit.entries()]
    assert reasons == (["before the upgrade"] if with_audit else []) + ["after the upgrade"]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        state.conn.execute("DELETE FROM audit")
    assert state.purge()["flows"] == 0


def test_a_newer_file_is_refused(tmp_path):
    path = str(tmp_path / "state.db")
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer than this code"):
        StateStore(path)


def _open(path, barrier, results):
    barrier.wait()
    try:
        StateStore(path).create_flow(
            browser="b", sp_entity_id="sp", request_id="r", acs_url="a", relay_state=None, force_authn=0,
            requested_context=None,
        )  # fmt: skip
        results.put("ok")
    except Exception as error:  # reported to the test, not lost in the child
        results.put(repr(error))


def test_processes_opening_a_new_database_at_once_migrate_it_once(state_location, open_state):
    path = state_location
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_open, args=(path, barrier, results)) for _ in range(4)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(10)
    assert outcomes == ["ok"] * 4
    state = open_state()
    assert state.conn.execute("SELECT count(*) FROM flows").fetchone()[0] == 4
    assert state.conn.execute("SELECT count(*) FROM schedule").fetchone()[0] == 1
