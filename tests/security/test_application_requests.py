"""AuthnRequests from applications at /saml/idp/sso: who may ask, where the answer may go, how
fresh and how signed a request must be, and what happens to RelayState."""

import base64
import shutil
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from lxml import etree

from broker.saml import bindings, crypto, ns
from broker.saml.keys import load_signing_key
from broker.saml.state_ids import new_message_id
from tests.conftest import APP, UPSTREAM
from tests.security.forge import SSO, assert_refused, genuine, instant, sub

APP_ENTITY = APP + "/saml/metadata"


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


def authn_request(issuer=APP_ENTITY, acs=APP + "/saml/acs", issued=0, **attrs):
    root = etree.Element(
        ns.q("samlp", "AuthnRequest"),
        nsmap={"samlp": ns.SAMLP, "saml": ns.SAML},
        ID=new_message_id(),
        Version="2.0",
        IssueInstant=instant(issued),
        Destination=SSO,
    )
    if acs is not None:
        root.set("AssertionConsumerServiceURL", acs)
    for name, value in attrs.items():
        root.set(name, value)
    sub(root, "saml", "Issuer", issuer)
    return root


def app_key(demo):
    return load_signing_key(demo.application["key"], demo.application["cert"])


def send(browser, root, relay_state=None, key=None):
    return browser.go("GET", bindings.redirect_url(SSO, root, "SAMLRequest", relay_state, key), autopost=False)


def flow_count(apps) -> int:
    return apps["broker"].extensions["state"].conn.execute("SELECT count(*) FROM flows").fetchone()[0]


def refused(page, apps, browser, reason):
    assert_refused(page, apps, browser, reason)
    assert flow_count(apps) == 0


def application_metadata(demo, tmp_path, signs: str) -> str:
    """A copy of the metadata folder where the demo application's AuthnRequestsSigned is `signs`."""
    folder = tmp_path / "metadata"
    shutil.copytree(demo.broker["METADATA_DIR"], folder)
    path = folder / "demo-application.xml"
    text = path.read_text()
    assert 'AuthnRequestsSigned="true"' in text
    path.write_text(text.replace('AuthnRequestsSigned="true"', f'AuthnRequestsSigned="{signs}"'))
    return str(folder)


def test_signed_and_unsigned_requests_of_a_known_application_are_accepted(broker_with, demo, tmp_path):
    # the demo policy makes signing optional; so does this copy of the application's metadata
    browser, apps = broker_with(METADATA_DIR=application_metadata(demo, tmp_path, "false"))
    assert send(browser, authn_request(), key=app_key(demo)).url.startswith(UPSTREAM + "/sso")
    assert send(browser, authn_request()).url.startswith(UPSTREAM + "/sso")
    assert flow_count(apps) == 2


def test_unknown_application_is_refused(browser, parties):
    page = send(browser, authn_request(issuer="http://evil.example/sp"))
    refused(page, parties, browser, "The application is not known to the broker.")


@pytest.mark.parametrize(
    "attrs",
    [
        {"acs": "http://evil.example/acs"},
        {"acs": None, "AssertionConsumerServiceIndex": "7"},
    ],
    ids=["url", "index"],
)
def test_foreign_acs_is_refused(browser, parties, demo, attrs):
    page = send(browser, authn_request(**attrs), key=app_key(demo))
    refused(page, parties, browser, "The application asked for an answer address its metadata does not list.")


def test_stale_request_is_refused(browser, parties, demo):
    page = send(browser, authn_request(issued=-3600), key=app_key(demo))
    refused(page, parties, browser, "The SAML message is too old.")


def test_relay_state_over_80_bytes_is_refused(browser, parties, demo):
    page = send(browser, authn_request(), relay_state="é" * 41, key=app_key(demo))  # 82 bytes, 41 characters
    refused(page, parties, browser, "The RelayState is longer than 80 bytes.")


def test_relay_state_is_never_reflected_unescaped(browser, parties, demo):
    hostile = '"><script>alert(1)</script>'
    send(browser, authn_request(), relay_state=hostile, key=app_key(demo))
    flow = parties["broker"].extensions["state"].conn.execute("SELECT upstream_request_id FROM flows").fetchone()
    answer = browser.go(
        "POST",
        SSO.replace("/idp/sso", "/sp/acs"),
        {"SAMLResponse": base64.b64encode(etree.tostring(genuine(demo, flow[0]))).decode()},
        autopost=False,
    )
    assert answer.status == 200 and "<script>alert" not in answer.text
    assert dict(answer.form().form_values())["RelayState"] == hostile  # carried back intact, escaped
    too_long = send(browser, authn_request(), relay_state="<script>" + "x" * 80, key=app_key(demo))
    assert too_long.status == 400 and "<script>" not in too_long.text


def test_invalid_redirect_signature_is_refused_even_where_signing_is_optional(browser, parties, demo):
    url = bindings.redirect_url(SSO, authn_request(), "SAMLRequest", "r", app_key(demo))
    params = parse_qsl(urlsplit(url).query)
    tampered = urlencode([(k, "other" if k == "RelayState" else v) for k, v in params])
    page = browser.go("GET", SSO + "?" + tampered, autopost=False)
    refused(page, parties, browser, "The SAML signature is not valid.")


def test_invalid_post_signature_is_refused_even_where_signing_is_optional(browser, parties, demo):
    root = authn_request()
    crypto.sign(root, app_key(demo))
    root.set("ForceAuthn", "true")  # changed after signing
    page = browser.go("POST", SSO, {"SAMLRequest": base64.b64encode(etree.tostring(root)).decode()}, autopost=False)
    refused(page, parties, browser, "The SAML signature is not valid.")


def test_sha1_redirect_signature_is_refused(browser, parties, demo):
    url = bindings.redirect_url(SSO, authn_request(), "SAMLRequest", None, app_key(demo))
    params = [
        (k, "http://www.w3.org/2000/09/xmldsig#rsa-sha1" if k == "SigAlg" else v)
        for k, v in parse_qsl(urlsplit(url).query)
    ]
    page = browser.go("GET", SSO + "?" + urlencode(params), autopost=False)
    refused(page, parties, browser, "The SAML signature uses a weak or unknown algorithm.")


@pytest.fixture
def signing_required(demo, broker_with, tmp_path):
    policies = tmp_path / "policies"
    shutil.copytree(demo.broker["POLICY_DIR"], policies)
    path = policies / "demo-application.yaml"
    path.write_text(path.read_text().replace("require_signed_requests: false", "require_signed_requests: true"))
    assert "require_signed_requests: true" in path.read_text()
    # the application's metadata does not promise signing here: the policy alone demands it
    return broker_with(POLICY_DIR=str(policies), METADATA_DIR=application_metadata(demo, tmp_path, "false"))


def test_unsigned_request_is_refused_where_the_policy_requires_signing(signing_required, demo):
    browser, apps = signing_required
    page = send(browser, authn_request())
    refused(page, apps, browser, "The application must sign its requests.")
    assert send(browser, authn_request(), key=app_key(demo)).url.startswith(UPSTREAM + "/sso")


def test_request_signed_by_another_applications_key_is_refused(signing_required, demo):
    browser, apps = signing_required
    other = load_signing_key(demo.application2["key"], demo.application2["cert"])
    page = send(browser, authn_request(), key=other)
    refused(page, apps, browser, "The SAML signature is not valid.")
