"""Hostile input that once reached an unexpected exception: every one must end in a 4xx page with
a user-safe sentence, never a 500 or a stack trace."""

import base64

import pytest
from lxml import etree

from broker.saml import bindings
from tests.security.forge import ACS, SSO, assert_refused, genuine, post_acs, start_login
from tests.security.test_application_requests import app_key, authn_request


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def impossible_time(demo, request_id):
    root = genuine(demo, request_id)
    root.set("IssueInstant", "2024-13-45T99:99:99Z")
    return etree.tostring(root)


BODIES = {
    "impossible-date": impossible_time,
    "unknown-encoding": lambda demo, rid: b'<?xml version="1.0" encoding="x-bogus"?><a/>',
    "utf16-without-bom": lambda demo, rid: '<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16-le"),
    "latin1-bytes": lambda demo, rid: (
        b"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'>\xe9\xff</samlp:Response>"
    ),
    "no-namespace": lambda demo, rid: b"<Response ID='_a' Version='2.0'/>",
    "empty": lambda demo, rid: b"",
    "deep-nesting": lambda demo, rid: b"<a>" * 5000 + b"</a>" * 5000,
}


@pytest.mark.parametrize("case", sorted(BODIES))
def test_hostile_answer_at_the_acs(browser, parties, demo, case):
    request_id = start_login(browser)
    page = post_acs(browser, BODIES[case](demo, request_id))
    assert_refused(page, parties, browser)


@pytest.mark.parametrize(
    "form",
    [
        {"SAMLResponse": "%%%not base64"},
        {"SAMLResponse": "\u00e9\u00e9\u00e9"},
        {"SAMLResponse": ""},
        {},
        {"SAMLResponse": _b64(b"<a/>"), "RelayState": "x" * 81},
    ],
    ids=["bad-base64", "non-ascii", "empty", "missing", "long-relay-state"],
)
def test_malformed_form_at_the_acs(browser, parties, form):
    page = browser.go("POST", ACS, form)
    assert_refused(page, parties, browser)


def test_non_digit_acs_index(browser, parties, demo):
    page = browser.go(
        "GET",
        bindings.redirect_url(
            SSO, authn_request(acs=None, AssertionConsumerServiceIndex="\u00b2"), "SAMLRequest", None, app_key(demo)
        ),
        autopost=False,
    )
    assert_refused(page, parties, browser)


@pytest.mark.parametrize(
    "query",
    [
        b"SAMLRequest=AAAA&RelayState=\xe9&SigAlg=x&Signature=AAAA",
        b"SAMLRequest=%ZZ&Signature=%ff%fe",
        b"SAMLRequest=AAAA&SAMLRequest=AAAA",
        b"SAMLRequest",
        b"Signature=AAAA",
    ],
    ids=["raw-latin1", "bad-escapes", "twice", "no-value", "no-message"],
)
def test_hostile_redirect_query_at_the_sso(browser, parties, query):
    client = browser.clients["localhost:8080"]
    response = client.get("/saml/idp/sso", environ_overrides={"QUERY_STRING": query.decode("latin-1")})
    assert 400 <= response.status_code < 500, response.status_code
    assert "Traceback" not in response.get_data(as_text=True)


def test_redirect_signature_over_a_non_ascii_relay_state(browser, parties, demo):
    url = bindings.redirect_url(SSO, authn_request(), "SAMLRequest", "ok", app_key(demo))
    query = url.split("?", 1)[1].replace("RelayState=ok", "RelayState=\u00e9")
    client = browser.clients["localhost:8080"]
    response = client.get("/saml/idp/sso", environ_overrides={"QUERY_STRING": query})
    assert response.status_code == 400
