"""Through the web layer: the view starts the session the flow returns, then renders the next step."""

import pytest

from broker.storage.audit import COLUMNS
from tests.conftest import APP
from tests.security.conftest import browser_for
from tests.security.forge import PERSON, genuine, post_acs, reached_application, session_count, start_login


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


def audit_rows(parties):
    conn = parties["broker"].extensions["state"].conn
    return [dict(zip(COLUMNS, row)) for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY seq")]


def test_a_refusal_after_the_upstream_login_keeps_the_session(parties, demo, monkeypatch):
    """The policy is withdrawn while the person signs in upstream: refused, but signed in at the broker."""
    browser = browser_for(parties)
    request_id = start_login(browser)
    policies = parties["broker"].extensions["policies"]
    real_get = policies.get
    monkeypatch.setattr(policies, "get", lambda entity_id: None)
    page = post_acs(browser, genuine(demo, request_id))
    assert page.status == 400 and not reached_application(browser)
    refused = audit_rows(parties)[-1]
    assert (refused["outcome"], refused["reason"], refused["person"]) == (
        "refused",
        "The application has no policy at this broker.",
        PERSON,  # the view started the session before it refused
    )
    assert session_count(parties) == 1
    monkeypatch.setattr(policies, "get", real_get)
    browser.get(APP + "/login")  # the broker session answers without going upstream again
    assert reached_application(browser)
