"""SAML core and profiles rules the broker honours (issue 16): signed requests as the metadata says,
NameIDPolicy, a requested Subject, Scoping/ProxyCount, an upstream Response's Issuer. Every test
goes through the broker's HTTP endpoints with real signed messages."""

import base64
import shutil
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from broker.saml import crypto, ns
from broker.saml.idp import pairwise_id
from tests.conftest import APP, UPSTREAM
from tests.security.forge import (
    ACS,
    OTHER,
    PERSON,
    assert_refused,
    assertion,
    post_acs,
    response,
    signed,
    start_login,
    sub,
    upstream_key,
)
from tests.security.test_application_requests import (
    APP_ENTITY,
    app_key,
    application_metadata,
    authn_request,
    flow_count,
    send,
)

SAMLP_STATUS = "urn:oasis:names:tc:SAML:2.0:status:"
APP_ACS = APP + "/saml/acs"


def answer_of(page) -> etree._Element:
    """The broker's SAML Response posted to the application's ACS (the page is not followed)."""
    assert page.status == 200, (page.status, page.text[:300])
    form = page.form()
    assert form.action == APP_ACS, form.action
    return etree.fromstring(base64.b64decode(dict(form.form_values())["SAMLResponse"]))


def status_of(root) -> list[str]:
    codes, node = [], root.find(ns.q("samlp", "Status"))
    while (node := node.find(ns.q("samlp", "StatusCode"))) is not None:
        codes.append(node.get("Value").removeprefix(SAMLP_STATUS))
    return codes


def upstream_request(page) -> etree._Element:
    """The broker's AuthnRequest to the upstream authenticator (HTTP-Redirect)."""
    assert page.url.startswith(UPSTREAM + "/sso"), page.url
    raw = parse_qs(urlsplit(page.url).query)["SAMLRequest"][0]
    return etree.fromstring(zlib.decompress(base64.b64decode(raw), -15))


def login_with(browser, root, demo, person=PERSON):
    """Send a signed request, authenticate `person` upstream, return the broker's answer (not delivered)."""
    page = send(browser, root, key=app_key(demo))
    assert page.url.startswith(UPSTREAM + "/sso"), page.url
    form = page.form()
    data = dict(form.form_values(), person=person, means="eid")
    upstream_answer = browser.go("POST", UPSTREAM + "/login", data, autopost=False)
    fields = dict(upstream_answer.form().form_values())
    return browser.go("POST", ACS, fields, autopost=False)


def nothing_asked_upstream(browser) -> bool:
    return not any(url.startswith(UPSTREAM) for _, url in browser.visits)


# --- 2 and 3: signed requests, as the broker's and the application's metadata say -----------------


def test_unsigned_request_is_refused_where_the_applications_metadata_promises_signing(broker_with, demo):
    browser, apps = broker_with()  # the demo application's metadata says AuthnRequestsSigned="true"
    page = send(browser, authn_request())
    assert_refused(page, apps, browser, "The application's metadata says it signs its requests; this one is not.")
    assert flow_count(apps) == 0
    assert send(browser, authn_request(), key=app_key(demo)).url.startswith(UPSTREAM + "/sso")


def test_unsigned_request_is_accepted_where_neither_metadata_nor_policy_asks(broker_with, demo, tmp_path):
    browser, apps = broker_with(METADATA_DIR=application_metadata(demo, tmp_path, "false"))
    assert send(browser, authn_request()).url.startswith(UPSTREAM + "/sso")


def _want_signed(apps) -> str:
    document = etree.fromstring(apps["broker"].test_client().get("/saml/idp/metadata").data)
    return document.find(ns.q("md", "IDPSSODescriptor")).get("WantAuthnRequestsSigned")


def test_idp_metadata_says_true_when_every_application_must_sign(broker_with, demo, tmp_path):
    browser, apps = broker_with()  # both demo applications' metadata promise to sign
    assert _want_signed(apps) == "true"
    browser, apps = broker_with(METADATA_DIR=application_metadata(demo, tmp_path, "false"))
    assert _want_signed(apps) == "false"  # one application may send unsigned requests


def test_idp_metadata_follows_a_policy_change_live(demo, broker_with, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(demo.broker["POLICY_DIR"], policies)
    browser, apps = broker_with(POLICY_DIR=str(policies), METADATA_DIR=application_metadata(demo, tmp_path, "false"))
    assert _want_signed(apps) == "false"
    path = policies / "demo-application.yaml"
    path.write_text(path.read_text().replace("require_signed_requests: false", "require_signed_requests: true"))
    apps["broker"].extensions["policies"].refresh(force=True)
    assert _want_signed(apps) == "true"


def test_want_authn_requests_signed_always_is_published_and_enforced(broker_with, demo, tmp_path):
    lenient = application_metadata(demo, tmp_path, "false")
    browser, apps = broker_with(METADATA_DIR=lenient, WANT_AUTHN_REQUESTS_SIGNED="always")
    assert _want_signed(apps) == "true"
    page = send(browser, authn_request())
    assert_refused(page, apps, browser, "The broker accepts only signed requests.")
    assert send(browser, authn_request(), key=app_key(demo)).url.startswith(UPSTREAM + "/sso")


# --- 5: NameIDPolicy ------------------------------------------------------------------------------


def with_name_id_policy(**attrs):
    root = authn_request()
    sub(root, "samlp", "NameIDPolicy", **attrs)
    return root


@pytest.mark.parametrize(
    "attrs",
    [
        {"Format": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"},
        {"Format": ns.NAMEID_ENTITY},
        {"Format": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"},  # the policy says persistent
        {"Format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", "SPNameQualifier": "urn:other:group"},
    ],
    ids=["email", "entity", "transient", "sp-name-qualifier"],
)
def test_unsupported_name_id_policy_is_answered_with_invalid_name_id_policy(browser, parties, demo, attrs):
    page = send(browser, with_name_id_policy(**attrs), key=app_key(demo))
    answer = answer_of(page)
    assert status_of(answer) == ["Requester", "InvalidNameIDPolicy"]
    assert answer.find(ns.q("saml", "Assertion")) is None
    crypto.verify_enveloped(answer, [crypto_key(parties)])  # a signed answer, as every answer is
    assert nothing_asked_upstream(browser)


def crypto_key(parties):
    from broker.saml.keys import verification_key

    return verification_key(parties["broker"].extensions["saml_settings"].signing_key.certificate_b64)


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"Format": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"},
        {"Format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", "AllowCreate": "false"},
        {"Format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", "SPNameQualifier": APP_ENTITY},
    ],
    ids=["none", "unspecified", "persistent-no-create", "own-sp-name-qualifier"],
)
def test_supported_name_id_policy_gets_the_pairwise_name_id(browser, demo, attrs):
    answer = answer_of(login_with(browser, with_name_id_policy(**attrs), demo))
    assert status_of(answer) == ["Success"]
    name_id = answer.find(f".//{ns.q('saml', 'NameID')}")
    assert name_id.get("Format") == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    assert name_id.get("SPNameQualifier") == APP_ENTITY
    # AllowCreate="false" is met: the pairwise identifier exists in advance for every pair
    assert name_id.text == pairwise_id(demo.broker["PAIRWISE_SECRET"].encode(), APP_ENTITY, PERSON, PERSON)


# --- 6: a Subject in the AuthnRequest -------------------------------------------------------------


def with_subject(value, fmt="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", **qualifiers):
    root = authn_request()
    issuer = root.find(ns.q("saml", "Issuer"))
    subject = etree.Element(ns.q("saml", "Subject"))
    issuer.addnext(subject)
    sub(subject, "saml", "NameID", value, Format=fmt, **qualifiers)
    return root


def _pairwise(demo, person):
    return pairwise_id(demo.broker["PAIRWISE_SECRET"].encode(), APP_ENTITY, person, person)


def test_subject_naming_someone_else_gets_no_assertion(browser, demo):
    answer = answer_of(login_with(browser, with_subject(_pairwise(demo, OTHER)), demo, person=PERSON))
    assert status_of(answer) == ["Responder", "AuthnFailed"]
    assert answer.find(ns.q("saml", "Assertion")) is None
    assert answer.find(ns.q("saml", "EncryptedAssertion")) is None


def test_subject_naming_the_person_who_authenticates_is_answered(browser, demo):
    answer = answer_of(login_with(browser, with_subject(_pairwise(demo, PERSON)), demo, person=PERSON))
    assert status_of(answer) == ["Success"]
    assert answer.find(f".//{ns.q('saml', 'NameID')}").text == _pairwise(demo, PERSON)


@pytest.mark.parametrize(
    "fmt, qualifiers",
    [
        ("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", {}),
        ("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", {"NameQualifier": "http://other-idp.example"}),
    ],
    ids=["other-format", "other-idp"],
)
def test_subject_the_broker_never_issues_is_an_unknown_principal(browser, demo, fmt, qualifiers):
    page = send(browser, with_subject(_pairwise(demo, PERSON), fmt, **qualifiers), key=app_key(demo))
    assert status_of(answer_of(page)) == ["Requester", "UnknownPrincipal"]
    assert nothing_asked_upstream(browser)


# --- 7: Scoping and ProxyCount --------------------------------------------------------------------


def with_scoping(proxy_count=None, requesters=()):
    root = authn_request()
    scoping = sub(root, "samlp", "Scoping", ProxyCount=proxy_count)
    for requester in requesters:
        sub(scoping, "samlp", "RequesterID", requester)
    return root


def test_proxy_count_zero_is_answered_without_asking_upstream(browser, demo):
    page = send(browser, with_scoping("0"), key=app_key(demo))
    assert status_of(answer_of(page)) == ["Responder", "ProxyCountExceeded"]
    assert nothing_asked_upstream(browser)


def _scoping_upstream(page):
    scoping = upstream_request(page).find(ns.q("samlp", "Scoping"))
    assert scoping is not None
    return scoping.get("ProxyCount"), [r.text for r in scoping.findall(ns.q("samlp", "RequesterID"))]


def test_proxy_count_is_decremented_and_the_application_named_upstream(browser, demo):
    page = send(browser, with_scoping("2", ["http://portal.example/sp"]), key=app_key(demo))
    assert _scoping_upstream(page) == ("1", ["http://portal.example/sp", APP_ENTITY])


def test_without_scoping_the_application_is_still_named_upstream(browser, demo):
    page = send(browser, authn_request(), key=app_key(demo))
    assert _scoping_upstream(page) == (None, [APP_ENTITY])


def test_a_login_with_proxy_count_one_completes(browser, demo):
    answer = answer_of(login_with(browser, with_scoping("1"), demo))
    assert status_of(answer) == ["Success"]


# --- 9: a signed upstream Response must name its Issuer (SAML profiles 4.1.4.2) -------------------


def test_signed_upstream_response_without_issuer_is_refused(browser, parties, demo):
    request_id = start_login(browser)
    key = upstream_key(demo)
    root = response(request_id, signed(assertion(request_id), key))
    root.remove(root.find(ns.q("saml", "Issuer")))
    page = post_acs(browser, signed(root, key))
    assert_refused(page, parties, browser, "The sign-in answer does not name its issuer.")


def test_unsigned_upstream_response_without_issuer_is_still_accepted(browser, parties, demo):
    request_id = start_login(browser)
    root = response(request_id, signed(assertion(request_id), upstream_key(demo)))
    root.remove(root.find(ns.q("saml", "Issuer")))  # allowed: only a signed assertion inside
    post_acs(browser, root)
    assert any(url.startswith(APP_ACS) for _, url in browser.visits)


def test_upstream_response_with_an_encrypted_assertion_and_no_issuer_is_refused(browser, parties, demo):
    from tests.security.test_encrypted_assertions import encrypted_answer

    request_id = start_login(browser)
    root = encrypted_answer(demo, request_id)
    root.remove(root.find(ns.q("saml", "Issuer")))
    page = post_acs(browser, root)
    assert_refused(page, parties, browser, "The sign-in answer does not name its issuer.")
