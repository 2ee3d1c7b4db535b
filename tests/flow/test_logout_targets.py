"""Single Logout's pending targets: typed records, kept by the StateStore as the same JSON as before
(on both engines)."""

import json

from broker.logout_flow import SP, UPSTREAM, LogoutTarget, dump_targets, load_targets

TARGETS = [
    LogoutTarget(SP, "https://app.example/saml", "pairwise-1", "urn:format", "_s1"),
    LogoutTarget(UPSTREAM, "https://upstream.example/idp", "upstream-1", None, None),
]


def test_targets_survive_the_state_store(open_state):
    state = open_state()
    record = state.create_logout("", "https://app.example/saml", "_req", None, dump_targets(TARGETS))
    assert load_targets(state.logout(record.id)) == TARGETS
    state.update_logout(record.id, dump_targets(TARGETS[1:]), "_out")
    assert load_targets(state.logout(record.id)) == TARGETS[1:]


def test_the_stored_json_keeps_its_keys(open_state):
    """A logout begun before this record existed (dicts in JSON) still finishes."""
    state = open_state()
    before = {"kind": "sp", "entity": "e", "name_id": "n", "format": None, "session_index": "_s"}
    record = state.create_logout("", "e", "_req", None, [before])
    assert load_targets(state.logout(record.id)) == [LogoutTarget("sp", "e", "n", None, "_s")]
    assert json.loads(state.logout(record.id).pending) == dump_targets(load_targets(record))
