"""The state database on both engines: the numbered migrations and their version record, the
append-only audit, the order of a session's participants, and the two claims that must be race-free
across processes (a replayed assertion, the purge of a period)."""

import multiprocessing

import pytest

from broker.storage import database, postgres_engine, sqlite_engine
from broker.storage.audit import AuditTrail
from broker.storage.schema import SCHEMA_VERSION
from broker.storage.state import Participant

ERRORS = (sqlite_engine.Error, postgres_engine.Error)


def test_a_new_database_reaches_the_current_version(open_state, state_location):
    state = open_state()
    engine = sqlite_engine if state.engine == "sqlite" else postgres_engine
    assert engine.version(state.conn) == SCHEMA_VERSION
    assert database.engine_of(state_location) == state.engine
    open_state()  # opening again: nothing to do
    assert engine.version(state.conn) == SCHEMA_VERSION


def test_a_newer_database_is_refused(open_state):
    state = open_state()
    if state.engine == "sqlite":
        state.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:
        state.conn.execute("UPDATE state_schema_version SET version=?", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match="newer than this code"):
        open_state()


@pytest.mark.parametrize("statement", ["UPDATE audit SET person='x'", "DELETE FROM audit"])
def test_the_audit_is_append_only(open_state, statement):
    state = open_state()
    audit = AuditTrail(state.path, connection=lambda: state.conn)
    audit.refused("kept", application="sp")
    with pytest.raises(ERRORS, match="append-only"):
        state.conn.execute(statement)
    assert [entry.reason for entry in audit.entries()] == ["kept"]


def test_the_audit_cannot_be_truncated_on_postgresql(postgres_url, open_state):
    state = open_state(postgres_url)
    with pytest.raises(postgres_engine.Error, match="append-only"):
        state.conn.execute("TRUNCATE audit")


def _session(state):
    return state.create_session(
        60, person="p", person_name="n", authn_context="c", authn_instant="i", upstream_name_id="u",
        upstream_name_id_format=None, upstream_session_index=None,
    ).id  # fmt: skip


def test_participants_come_in_the_order_they_joined(open_state):
    state = open_state()
    session = _session(state)
    for sp in ("sp-c", "sp-a", "sp-b"):
        state.add_participant(Participant(session, sp, f"name-{sp}", "format", "index", "key"))
    state.add_participant(Participant(session, "sp-a", "again", "format", "index2", "key"))  # a second login there
    assert [(p.sp_entity_id, p.name_id) for p in state.participants(session)] == [
        ("sp-c", "name-sp-c"),
        ("sp-a", "again"),
        ("sp-b", "name-sp-b"),
    ]
    assert state.session_of_participant("sp-a", "again", None) == session
    assert state.session_of_participant("sp-a", "again", "index2") == session
    assert state.session_of_participant("sp-a", "again", "other") is None


def _race(location, what, barrier, results):
    from broker.storage.state import StateStore

    state = StateStore(location)
    barrier.wait()
    try:
        results.put(state.first_sighting("_one", 0) if what == "replay" else state.claim_purge(600, now=5000.0))
    except Exception as error:  # reported to the test, not lost in the child
        results.put(repr(error))
    state.close()


@pytest.mark.parametrize("what", ["replay", "purge"])
def test_of_processes_claiming_at_once_exactly_one_wins(open_state, state_location, what):
    open_state()  # migrated before the race
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(6), context.Queue()
    processes = [context.Process(target=_race, args=(state_location, what, barrier, results)) for _ in range(6)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(10)
    assert sorted(outcomes, key=str) == [False] * 5 + [True]


def test_placeholders_are_translated_outside_literals_and_casts():
    sql = "SELECT '?', 'it''s :x', '5%', a::text, b % 2 FROM t WHERE c=? AND d=:name"
    assert postgres_engine.translate(sql) == (
        "SELECT '?', 'it''s :x', '5%%', a::text, b %% 2 FROM t WHERE c=%s AND d=%(name)s"
    )


def test_a_percent_sign_in_a_literal_beside_parameters(postgres_url, open_state):
    state = open_state(postgres_url)
    row = state.conn.execute("SELECT '50%' || ?, 7 % ?", ("!", 4)).fetchone()
    assert tuple(row) == ("50%!", 3)


def test_a_transaction_commits_all_or_nothing(open_state):
    state = open_state()
    with pytest.raises(ZeroDivisionError), state.transaction():
        _session(state)
        raise ZeroDivisionError
    assert state.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    with state.transaction():
        _session(state)
        with state.transaction():  # inside: part of the outer one
            _session(state)
    assert state.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2


def test_a_url_with_a_password_is_refused_without_repeating_it():
    problem = database.location_problem("postgresql://broker:s3cret@db.example:5432/broker")
    assert problem == (
        "postgresql://broker@db.example:5432/broker: a password in the URL; give it in PGPASSWORD, "
        "~/.pgpass (PGPASSFILE) or a PGSERVICE file"
    )
    assert database.location_problem("postgresql://broker@db.example:5432/broker") is None
    with pytest.raises(ValueError, match="a password in the URL"):
        database.open_database("postgres://broker:s3cret@127.0.0.1:1/broker", ())
