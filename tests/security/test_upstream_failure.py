"""An upstream failure, once the application's request is known, is answered to the application with
a SAML Response carrying a fitting status; the broker's own page only when no application is known."""

import base64

import pytest
from lxml import etree

from broker.saml import crypto
from broker.saml.keys import certificate_b64, verification_key
from tests.conftest import APP, UPSTREAM
from tests.security.conftest import browser_for
from tests.security.forge import ACS, b64, genuine, q, session_count, start_login

STATUS = "urn:oasis:names:tc:SAML:2.0:status:"


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


def _audit(parties):
    return parties["broker"].extensions["audit"].entries()


def broker_answer(page):
    """The Response the broker posts to the application (the auto-post form, not followed yet)."""
    assert page.form().action == APP + "/saml/acs", page.text[:300]
    return etree.fromstring(base64.b64decode(dict(page.form().form_values())["SAMLResponse"]))


def codes(response):
    found, code = [], response.find(f"{q('samlp', 'Status')}/{q('samlp', 'StatusCode')}")
    while code is not None:
        found.append(code.get("Value").removeprefix(STATUS))
        code = code.find(q("samlp", "StatusCode"))
    return found


def _cancel_upstream(browser, status):
    """The demo authenticator (a pysaml2 IdP) answers with an error status; the broker's answer, unfollowed."""
    page = browser.get(APP + "/login")
    assert page.url.startswith(UPSTREAM + "/sso")
    upstream_answer = browser.raw("POST", UPSTREAM + "/login", {"refuse": status})
    fields = dict(upstream_answer.doc.forms[0].form_values())
    return browser.go("POST", ACS, fields, autopost=False)


@pytest.mark.parametrize(
    "upstream, passed_on",
    [("AuthnFailed", "AuthnFailed"), ("NoPassive", "NoPassive"), ("RequestDenied", "RequestDenied")],
)
def test_upstream_status_passed_on_to_the_application(browser, parties, demo, upstream, passed_on):
    page = _cancel_upstream(browser, upstream)
    answer = broker_answer(page)
    assert codes(answer) == ["Responder", passed_on]
    assert answer.get("InResponseTo") and answer.get("Destination") == APP + "/saml/acs"
    broker_cert = open(demo.broker["SIGNING_CERT"], "rb").read()
    crypto.verify_enveloped(answer, [verification_key(certificate_b64(broker_cert))])  # signed by the broker
    assert session_count(parties) == 0
    assert _audit(parties)[-1].outcome == "refused"
    shown = browser.submit(page)  # the application says the login was refused
    assert shown.status == 403 and passed_on in shown.text


def test_an_unknown_upstream_status_becomes_authn_failed(browser, parties):
    assert codes(broker_answer(_cancel_upstream(browser, "SomethingElse"))) == ["Responder", "AuthnFailed"]


def test_an_invalid_upstream_answer_is_answered_to_the_application(browser, parties, demo):
    request_id = start_login(browser)
    forged = genuine(demo, request_id)
    forged.find(q("saml", "Assertion")).find(q("saml", "Issuer")).text = "http://evil.example/"
    page = browser.go("POST", ACS, {"SAMLResponse": b64(forged)}, autopost=False)
    assert codes(broker_answer(page)) == ["Responder", "AuthnFailed"]
    assert session_count(parties) == 0
    entry = _audit(parties)[-1]
    assert (entry.outcome, entry.reason) == ("refused", "The SAML signature is not valid.")
    assert entry.application == APP + "/saml/metadata"
    # the flow is over: the same answer again finds no application to answer, so the broker's page
    again = browser.go("POST", ACS, {"SAMLResponse": b64(forged)}, autopost=False)
    assert again.status == 400 and session_count(parties) == 0


def test_a_replayed_answer_is_answered_to_the_new_request(browser, parties, demo):
    request_id = start_login(browser)
    first = genuine(demo, request_id, assertion_id="_once")
    assert browser.go("POST", ACS, {"SAMLResponse": b64(first)}).url == APP + "/"
    other = browser_for(parties)  # another browser, its own login under way, gets the same assertion ID
    replay = genuine(demo, start_login(other), assertion_id="_once")
    page = other.go("POST", ACS, {"SAMLResponse": b64(replay)}, autopost=False)
    assert codes(broker_answer(page)) == ["Responder", "AuthnFailed"]
    entry = _audit(parties)[-1]
    assert (entry.outcome, entry.reason) == ("refused", "This sign-in answer was used before.")
    assert session_count(parties) == 1  # the first login's only


def test_no_application_known_means_the_broker_page(browser, parties, demo):
    start_login(browser)
    page = browser.go("POST", ACS, {"SAMLResponse": b64(genuine(demo, "_unknown"))}, autopost=False)
    assert page.status == 400 and not page.doc.forms
