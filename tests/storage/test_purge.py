"""Purging the state database, on both engines: expired flows, logouts, sessions (with their
participants) and replay records go; live ones, and whatever a live flow or logout still needs, stay."""

import time

from click.testing import CliRunner

from broker.cli import main
from broker.storage.state import Participant

HOUR = 3600


def flow(state, **changes):
    values = dict(browser="b", sp_entity_id="sp", request_id="r", acs_url="a", relay_state=None)
    values.update(force_authn=0, requested_context=None)
    made = state.create_flow(**values)
    if changes:
        state.update_flow(made.id, **changes)
    return made.id


def session(state, lifetime=HOUR, ended=False):
    made = state.create_session(
        lifetime,
        person="p",
        person_name="n",
        authn_context="c",
        authn_instant="i",
        upstream_name_id="u",
        upstream_name_id_format=None,
        upstream_session_index=None,
    )
    state.add_participant(Participant(made.id, "sp", "name", "format", "index", "key"))
    if ended:
        state.end_session(made.id)
    return made.id


def ids(state, table):
    column = "session_id" if table == "participants" else "id"
    return {row[0] for row in state.conn.execute(f"SELECT {column} FROM {table}")}


def test_purge_removes_exactly_the_expired_rows(open_state):
    state = open_state()
    now = time.time()
    live_flow, _ = flow(state), flow(state, expires=now - 1)
    live, ended, expired = session(state), session(state, ended=True), session(state, lifetime=-1)
    live_logout = state.create_logout(live, None, None, None, []).id
    old_logout = state.create_logout(live, None, None, None, []).id
    state.conn.execute("UPDATE logouts SET expires=? WHERE id=?", (now - 1, old_logout))
    state.first_sighting("_live", now + HOUR)
    state.first_sighting("_old", now - 1)
    state.conn.execute("UPDATE seen_assertions SET expires=? WHERE id='_old'", (now - 1,))  # its time has come

    removed = state.purge()

    assert removed == {"flows": 1, "logouts": 1, "sessions": 2, "participants": 2, "seen_assertions": 1}
    assert ids(state, "flows") == {live_flow}
    assert ids(state, "sessions") == {live} == ids(state, "participants")
    assert not {ended, expired} & ids(state, "sessions")
    assert ids(state, "seen_assertions") == {"_live"}
    assert ids(state, "logouts") == {live_logout}


def test_purge_keeps_live_rows(open_state):
    state = open_state()
    live_flow, live = flow(state), session(state)
    logout = state.create_logout(live, None, None, None, []).id
    state.first_sighting("_live", time.time() + HOUR)
    assert state.purge() == {"flows": 0, "logouts": 0, "sessions": 0, "participants": 0, "seen_assertions": 0}
    assert ids(state, "flows") == {live_flow} and ids(state, "sessions") == {live}
    assert ids(state, "logouts") == {logout} and ids(state, "seen_assertions") == {"_live"}


def test_a_session_a_logout_or_a_flow_still_needs_survives_its_end(open_state):
    state = open_state()
    logging_out, refused = session(state, ended=True), session(state, ended=True)
    logout = state.create_logout(logging_out, "sp", "req", None, []).id
    flow(state, session_id=refused)  # its refusal is audited with the session's person
    state.purge()
    assert ids(state, "sessions") == {logging_out, refused}
    assert ids(state, "participants") == {logging_out, refused}
    state.finish_logout(logout)
    state.conn.execute("DELETE FROM flows")
    state.purge()
    assert ids(state, "sessions") == set() and ids(state, "participants") == set()


def test_a_replay_record_outlives_any_chance_of_acceptance(open_state):
    """keep_until comes from the assertion's NotOnOrAfter; an absent or absurd one (here: the
    epoch) still keeps the record while the flow it answers could take it (flow_lifetime)."""
    state = open_state()
    now = time.time()
    state.first_sighting("_epoch", 0)
    state.first_sighting("_later", now + 2 * HOUR)
    state.purge(now=now + state.flow_lifetime - 5)
    assert not state.first_sighting("_epoch", 0), "still a replay"
    state.purge(now=now + state.flow_lifetime + 5)
    assert ids(state, "seen_assertions") == {"_later"}
    state.purge(now=now + 2 * HOUR - 1)
    assert not state.first_sighting("_later", now + 2 * HOUR)
    state.purge(now=now + 2 * HOUR + 1)
    assert ids(state, "seen_assertions") == set()


def test_only_one_process_purges_per_period(open_state):
    from broker.ops.purging import purge_if_due

    one, two = open_state(), open_state()  # as two worker processes
    assert purge_if_due(one, every=600, now=1000.0) is not None
    assert purge_if_due(two, every=600, now=1001.0) is None
    assert purge_if_due(one, every=600, now=1599.0) is None
    assert purge_if_due(two, every=600, now=1600.0) is not None


def test_broker_state_purge_prints_what_it_removed(open_state, state_location):
    path = state_location
    state = open_state()
    flow(state, expires=time.time() - 1)
    session(state, ended=True)
    result = CliRunner().invoke(main, ["state", "purge", "--state", path])
    assert result.exit_code == 0, result.output
    assert result.output.split() == "flows 1 logouts 0 sessions 1 participants 1 seen_assertions 0".split()


def test_a_backlog_goes_in_batches(open_state, monkeypatch):
    monkeypatch.setattr("broker.storage.state.PURGE_BATCH", 3)
    state = open_state()
    for _ in range(7):
        session(state, ended=True)
    state.conn.executemany("INSERT INTO seen_assertions (id, expires) VALUES (?, 0)", [(f"_{n}",) for n in range(7)])
    removed = state.purge()
    assert (removed["sessions"], removed["participants"], removed["seen_assertions"]) == (7, 7, 7)
