"""Through the web layer: the view starts the session the flow returns, then renders the next step."""

import sqlite3

from broker.storage.audit import COLUMNS
from tests.conftest import APP
from tests.security.conftest import browser_for
from tests.security.forge import PERSON, genuine, post_acs, reached_application, session_count, start_login


def audit_rows(demo):
    with sqlite3.connect(demo.broker["STATE_DB"]) as db:
        return [dict(zip(COLUMNS, row)) for row in db.execute("SELECT * FROM audit ORDER BY seq")]


def test_a_refusal_after_the_upstream_login_keeps_the_session(parties, demo, monkeypatch):
    """The policy is withdrawn while the person signs in upstream: refused, but signed in at the broker."""
    browser = browser_for(parties)
    request_id = start_login(browser)
    policies = parties["broker"].extensions["policies"]
    real_get = policies.get
    monkeypatch.setattr(policies, "get", lambda entity_id: None)
    page = post_acs(browser, genuine(demo, request_id))
    assert page.status == 400 and not reached_application(browser)
    refused = audit_rows(demo)[-1]
    assert (refused["outcome"], refused["reason"], refused["person"]) == (
        "refused",
        "The application has no policy at this broker.",
        PERSON,  # the view started the session before it refused
    )
    assert session_count(parties) == 1
    monkeypatch.setattr(policies, "get", real_get)
    browser.get(APP + "/login")  # the broker session answers without going upstream again
    assert reached_application(browser)
