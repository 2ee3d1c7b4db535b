"""python3-saml (OneLogin) as an application behind the broker, from exchanged metadata only."""

from lxml import etree

from broker.saml import ns
from mandates_store import demo_data as d
from tests.conftest import UPSTREAM
from tests.e2e.helpers import cards, choose
from tests.interop.conftest import ONELOGIN

PREFIX = "urn:mandaatbroker:1.0:"


def login(browser, person=d.PERSON_OWN_NAME_ONLY):
    page = browser.get(ONELOGIN + "/login")
    assert page.url.startswith(UPSTREAM + "/sso"), page.url
    return browser.submit(page, {"person": person, "means": "eid"})


def attributes(browser) -> dict:
    with browser.clients["localhost:8002"].session_transaction() as session:
        return {k.removeprefix(PREFIX): v for k, v in (session.get("attributes") or {}).items()}


def test_signed_assertion_login(onelogin):
    browser, application = onelogin(signing="both", encrypt=False, demanded="both")
    page = login(browser)
    assert (page.url, page.text) == (ONELOGIN + "/", "signed in")
    got = attributes(browser)
    assert got["ActingSubjectID"] == [d.PERSON_OWN_NAME_ONLY] and got["LoginKind"] == ["own_name"]
    posted = etree.fromstring(application.extensions["posted"][-1])
    assert posted.find(ns.q("ds", "Signature")) is not None
    assert posted.find(f"{ns.q('saml', 'Assertion')}/{ns.q('ds', 'Signature')}") is not None


def test_assertion_only_signed_login(onelogin):
    browser, application = onelogin(signing="assertion", encrypt=False, demanded="assertion")
    assert login(browser).text == "signed in"
    posted = etree.fromstring(application.extensions["posted"][-1])
    assert posted.find(ns.q("ds", "Signature")) is None
    assert posted.find(f"{ns.q('saml', 'Assertion')}/{ns.q('ds', 'Signature')}") is not None


def test_encrypted_assertion_login_with_aes_gcm(onelogin):
    browser, application = onelogin(signing="response", encrypt=True, demanded="response")
    page = login(browser, d.PERSON_EXECUTOR)
    # the executor gets the chooser first; take the first mandate card
    name = next(c[0] for c in cards(page) if c[2].startswith("Mandaat via"))
    page = choose(browser, page, name)
    assert (page.url, page.text) == (ONELOGIN + "/", "signed in")
    got = attributes(browser)
    assert got["LoginKind"] == ["mandate"] and got["ActingSubjectID"] == [d.PERSON_EXECUTOR]
    posted = etree.fromstring(application.extensions["posted"][-1])
    assert posted.find(ns.q("saml", "Assertion")) is None
    data = posted.find(f"{ns.q('saml', 'EncryptedAssertion')}/{ns.q('xenc', 'EncryptedData')}")
    assert data.find(ns.q("xenc", "EncryptionMethod")).get("Algorithm") == ns.AES256_GCM
    transport = data.find(f".//{ns.q('xenc', 'EncryptedKey')}/{ns.q('xenc', 'EncryptionMethod')}").get("Algorithm")
    assert transport in ns.KEY_TRANSPORT_ALGORITHMS
    algorithms = {m.get("Algorithm") for m in posted.iter(ns.q("xenc", "EncryptionMethod"))}
    assert not any("cbc" in a or "tripledes" in a for a in algorithms), algorithms
    assert posted.find(ns.q("ds", "Signature")) is not None


def test_python3_saml_refuses_when_the_policy_signs_less_than_it_demands(onelogin):
    # proves the SP really checks: the broker signs only the response, the SP demands a signed assertion
    browser, application = onelogin(signing="response", encrypt=False, demanded="assertion")
    page = login(browser)
    assert page.status == 400 and "refused" in page.text
    assert attributes(browser) == {}
