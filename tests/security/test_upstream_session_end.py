"""The upstream's SessionNotOnOrAfter caps the broker's SSO session and goes on to the applications."""

import base64
import time

import pytest
from lxml import etree

from broker.saml.timefmt import parse_instant
from tests.security.forge import (
    ACS,
    assertion,
    b64,
    instant,
    q,
    response,
    session_count,
    signed,
    start_login,
    upstream_key,
)


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


def _answer_until(demo, request_id, seconds):
    inner = assertion(request_id)
    inner.find(q("saml", "AuthnStatement")).set("SessionNotOnOrAfter", instant(seconds))
    return response(request_id, signed(inner, upstream_key(demo)))


def _broker_answer(page):
    """The broker's own Response on its way to the application (the auto-post form, not followed)."""
    fields = dict(page.form().form_values())
    return etree.fromstring(base64.b64decode(fields["SAMLResponse"]))


def test_session_capped_at_the_upstream_session_end_and_passed_on(browser, parties, demo):
    request_id = start_login(browser)
    page = browser.go("POST", ACS, {"SAMLResponse": b64(_answer_until(demo, request_id, 1800))}, autopost=False)
    expires = parties["broker"].extensions["state"].conn.execute("SELECT expires FROM sessions").fetchone()[0]
    assert expires <= time.time() + 1800 + 1  # not the 8 hours of SESSION_LIFETIME
    statement = _broker_answer(page).find(f"{q('saml', 'Assertion')}/{q('saml', 'AuthnStatement')}")
    passed_on = parse_instant(statement.get("SessionNotOnOrAfter"), "SessionNotOnOrAfter").timestamp()
    assert abs(passed_on - expires) < 1


def test_an_upstream_session_that_already_ended_opens_no_session(browser, parties, demo):
    request_id = start_login(browser)
    browser.go("POST", ACS, {"SAMLResponse": b64(_answer_until(demo, request_id, -3600))})
    assert session_count(parties) == 0
