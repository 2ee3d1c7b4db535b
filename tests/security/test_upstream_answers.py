"""Forged and wrong upstream answers at /saml/sp/acs: each refused with its reason, no session."""

import pytest

from broker.saml import ns
from broker.saml.certgen import generate
from broker.saml.keys import load_signing_key
from tests.security.forge import (
    OTHER,
    assert_refused,
    assertion,
    genuine,
    post_acs,
    q,
    response,
    signed,
    start_login,
    upstream_key,
)

R = {
    "unsigned": "The sign-in answer is not signed as required.",
    "bad_sig": "The SAML signature is not valid.",
    "issuer": "The sign-in answer comes from an unexpected issuer.",
    "a_issuer": "The assertion comes from an unexpected issuer.",
    "destination": "The sign-in answer was meant for another destination.",
    "confirmation": "The assertion's subject confirmation does not fit this request.",
    "audience": "The assertion is meant for another audience.",
    "no_audience": "The assertion names no audience.",
    "expired": "The assertion has expired.",
    "not_yet": "The assertion is not yet valid.",
    "status": "The sign-in did not succeed.",
    "one": "The sign-in answer must carry exactly one assertion.",
    "old": "The SAML message is too old.",
    "future": "The SAML message was issued in the future.",
    "bearer": "The assertion has no bearer subject confirmation.",
}


def strip_signature(root):
    node = root.find(q("saml", "Assertion"))
    node.remove(node.find(q("ds", "Signature")))
    return root


def two_assertions(demo, rid):
    key = upstream_key(demo)
    return response(rid, signed(assertion(rid), key), signed(assertion(rid, OTHER), key))


def assertion_then_response_signed_wrong(demo, rid):
    root = genuine(demo, rid)
    root.find(q("saml", "Assertion")).set("ID", "_changed")  # breaks the reference, digest untouched
    return root


CASES = {
    "signature-removed": (lambda demo, rid: strip_signature(genuine(demo, rid)), R["unsigned"]),
    "assertion-unsigned": (lambda demo, rid: response(rid, assertion(rid)), R["unsigned"]),
    "value-changed-after-signing": (lambda demo, rid: _changed_value(genuine(demo, rid)), R["bad_sig"]),
    "reference-broken": (assertion_then_response_signed_wrong, "The SAML signature does not cover the signed element."),
    "response-issuer": (lambda demo, rid: _set(genuine(demo, rid), "saml:Issuer", text="http://evil/idp"), R["issuer"]),
    "assertion-issuer": (lambda demo, rid: genuine(demo, rid, issuer="http://evil/idp"), R["a_issuer"]),
    "destination": (lambda demo, rid: _attr(genuine(demo, rid), "Destination", "http://evil/acs"), R["destination"]),
    "destination-missing": (lambda demo, rid: _attr(genuine(demo, rid), "Destination", None), R["destination"]),
    "recipient": (lambda demo, rid: genuine(demo, rid, recipient="http://evil/acs"), R["confirmation"]),
    "subject-in-response-to": (
        lambda demo, rid: genuine(demo, rid, subject_in_response_to="_other"),
        R["confirmation"],
    ),
    "not-bearer": (
        lambda demo, rid: genuine(demo, rid, method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"),
        R["bearer"],
    ),
    "audience": (lambda demo, rid: genuine(demo, rid, audience="http://evil/sp"), R["audience"]),
    "audience-missing": (lambda demo, rid: genuine(demo, rid, audience=None), R["no_audience"]),
    "expired": (lambda demo, rid: genuine(demo, rid, not_before=-900, not_on_or_after=-300), R["expired"]),
    "confirmation-expired": (lambda demo, rid: genuine(demo, rid, confirmation_until=-300), R["confirmation"]),
    "not-yet-valid": (lambda demo, rid: genuine(demo, rid, not_before=900), R["not_yet"]),
    "response-stale": (lambda demo, rid: _reissued(demo, rid, -3600), R["old"]),
    "response-from-future": (lambda demo, rid: _reissued(demo, rid, 3600), R["future"]),
    "status-top-level": (lambda demo, rid: _status(demo, rid, ns.STATUS_RESPONDER), R["status"]),
    "status-nested": (lambda demo, rid: _status(demo, rid, ns.STATUS_SUCCESS, ns.STATUS_AUTHN_FAILED), R["status"]),
    "two-assertions": (two_assertions, R["one"]),
    "no-assertion": (lambda demo, rid: response(rid), R["one"]),
}


def _set(root, path, text):
    prefix, local = path.split(":")
    root.find(q(prefix, local)).text = text
    return root


def _attr(root, name, value):
    if value is None:
        del root.attrib[name]
    else:
        root.set(name, value)
    return root


def _changed_value(root):
    value = root.find(f".//{q('saml', 'AttributeValue')}")
    value.text = OTHER
    return root


def _reissued(demo, rid, offset):
    key = upstream_key(demo)
    return response(rid, signed(assertion(rid), key), issue_instant=offset)


def _status(demo, rid, *codes):
    key = upstream_key(demo)
    return response(rid, signed(assertion(rid), key), status=codes)


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_answer_is_refused(browser, parties, demo, case):
    build, reason = CASES[case]
    request_id = start_login(browser)
    page = post_acs(browser, build(demo, request_id))
    assert_refused(page, parties, browser, reason)


def test_signature_by_an_unknown_key_with_a_valid_looking_key_info(browser, parties, demo, tmp_path):
    generate(str(tmp_path / "evil.key"), str(tmp_path / "evil.crt"), "Demo authenticator")
    evil = load_signing_key(str(tmp_path / "evil.key"), str(tmp_path / "evil.crt"))
    request_id = start_login(browser)
    root = response(request_id, signed(assertion(request_id, OTHER), evil))
    offered = root.find(f".//{q('ds', 'X509Certificate')}").text
    assert "".join(offered.split()) == evil.certificate_b64  # KeyInfo offers the (wrong) key
    page = post_acs(browser, signed(root, evil))
    assert_refused(page, parties, browser, R["bad_sig"])


def _answer_signed(broker_with, demo, required, sign_assertion, sign_response):
    """A broker with UPSTREAM_SIGNED=`required` gets an answer signed as asked: (browser, apps, page)."""
    browser, apps = broker_with(UPSTREAM_SIGNED=required)
    key = upstream_key(demo)
    request_id = start_login(browser)
    inner = assertion(request_id)
    root = response(request_id, signed(inner, key) if sign_assertion else inner)
    return browser, apps, post_acs(browser, signed(root, key) if sign_response else root)


@pytest.mark.parametrize(
    "required,sign_assertion,sign_response",
    [
        ("assertion", False, True),
        ("response", True, False),
        ("both", True, False),
        ("both", False, True),
        ("either", False, False),
    ],
)
def test_upstream_signed_setting_is_enforced(broker_with, demo, required, sign_assertion, sign_response):
    browser, apps, page = _answer_signed(broker_with, demo, required, sign_assertion, sign_response)
    assert_refused(page, apps, browser, R["unsigned"])


@pytest.mark.parametrize(
    "required,sign_assertion,sign_response",
    [
        ("assertion", True, False),
        ("response", False, True),
        ("both", True, True),
        ("either", False, True),
    ],
)
def test_upstream_signed_setting_accepts_what_it_asks(broker_with, demo, required, sign_assertion, sign_response):
    _, _, page = _answer_signed(broker_with, demo, required, sign_assertion, sign_response)
    assert page.status == 200 and page.url.startswith("http://localhost:8000/"), page.text[:300]


def test_unsolicited_answer_is_refused(browser, parties, demo):
    root = genuine(demo, "_never_asked")
    del root.attrib["InResponseTo"]
    page = post_acs(browser, root)
    assert_refused(page, parties, browser, "The sign-in answer does not answer a request of this browser.")


def test_answer_to_another_browsers_request_is_refused(browser, parties, demo, shared_peers):
    from tests.security.conftest import browser_for

    victim = browser_for(parties)
    their_request = start_login(victim)
    start_login(browser)
    page = post_acs(browser, genuine(demo, their_request, OTHER))
    assert_refused(page, parties, browser, "The sign-in answer does not answer a request of this browser.")
