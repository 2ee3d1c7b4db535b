"""RequestedAuthnContext of the application, against the operator's order of levels (AUTHN_LEVELS):
the broker asks its upstream for what the application needs, never less than the policy's floor, and
answers NoAuthnContext when that cannot be met. The demo authenticator's "eid" gives SmartcardPKI
(high in the default order), its "app" MobileTwoFactorContract (substantial)."""

import base64
import os
import zlib
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from lxml import etree

from broker import create_app
from broker.saml import ns
from broker.settings import ConfigError, Settings
from demo.application import create_application_app
from demo.upstream import create_upstream_app
from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import APP, UPSTREAM
from tests.e2e.helpers import received

LOW = "http://eidas.europa.eu/LoA/low"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
HIGH = "http://eidas.europa.eu/LoA/high"
SMARTCARD = "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"
MOBILE = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"
AC = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
LEVEL_LOW = {LOW, AC + "PasswordProtectedTransport", AC + "Password"}
LEVEL_SUBSTANTIAL = {SUBSTANTIAL, MOBILE, AC + "TimeSyncToken"}
LEVEL_HIGH = {HIGH, SMARTCARD}


def world(demo, floor=None):
    if floor:
        policy = os.path.join(demo.broker["POLICY_DIR"], "demo-application.yaml")
        with open(policy, encoding="utf-8") as handle:
            text = handle.read().replace("authn_context: null", f"authn_context: {floor}")
        with open(policy, "w", encoding="utf-8") as handle:
            handle.write(text)
    broker = create_app(demo.broker)
    browser = Browser(
        {
            "localhost:8080": broker,
            "localhost:8090": create_upstream_app(**demo.upstream),
            "localhost:8000": create_application_app(**demo.application),
        }
    )
    return browser, broker


def ask(browser, *contexts, comparison="exact"):
    query = "&".join(f"context={quote(c)}" for c in contexts) + f"&comparison={comparison}"
    return browser.get(APP + "/login?" + query)


def asked_upstream(page):
    """(Comparison, class refs) of the broker's RequestedAuthnContext to the upstream."""
    assert page.url.startswith(UPSTREAM + "/sso"), page.url
    raw = parse_qs(urlsplit(page.url).query)["SAMLRequest"][0]
    request = etree.fromstring(zlib.decompress(base64.b64decode(raw), -15))
    requested = request.find(ns.q("samlp", "RequestedAuthnContext"))
    if requested is None:
        return None
    return requested.get("Comparison"), {r.text for r in requested.iter(ns.q("saml", "AuthnContextClassRef"))}


def refused_with(page) -> str:
    assert page.url == APP + "/saml/acs" and page.status == 403, (page.url, page.status, page.text[:300])
    return page.text


def test_minimum_asks_upstream_for_that_level_or_higher_and_accepts_it(demo):
    browser, _ = world(demo)
    page = ask(browser, SUBSTANTIAL, comparison="minimum")
    assert asked_upstream(page) == ("exact", LEVEL_SUBSTANTIAL | LEVEL_HIGH)
    done = browser.submit(page, {"person": d.PERSON_OWN_NAME_ONLY, "means": "app"})
    assert done.url == APP + "/" and received(browser)["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY


def test_exact_is_by_class_ref_and_a_weaker_upstream_answer_is_no_authn_context(demo):
    browser, broker = world(demo)
    page = ask(browser, SMARTCARD)
    assert asked_upstream(page) == ("exact", {SMARTCARD})
    done = browser.submit(page, {"person": d.PERSON_OWN_NAME_ONLY, "means": "app"})  # MobileTwoFactor
    assert "NoAuthnContext" in refused_with(done)
    assert broker.extensions["audit"].entries()[-1].outcome == "refused"


def test_better_and_maximum(demo):
    browser, _ = world(demo)
    assert asked_upstream(ask(browser, SUBSTANTIAL, comparison="better")) == ("exact", LEVEL_HIGH)
    browser, _ = world(demo)
    assert asked_upstream(ask(browser, SUBSTANTIAL, comparison="maximum")) == ("exact", LEVEL_LOW | LEVEL_SUBSTANTIAL)


def test_never_less_than_the_policy_floor(demo):
    browser, _ = world(demo, floor=SUBSTANTIAL)
    assert asked_upstream(browser.get(APP + "/login")) == ("exact", LEVEL_SUBSTANTIAL | LEVEL_HIGH)
    browser, _ = world(demo, floor=SUBSTANTIAL)
    assert asked_upstream(ask(browser, LOW, comparison="minimum"))[1] == LEVEL_SUBSTANTIAL | LEVEL_HIGH
    # what cannot be met is answered at once, without sending the person upstream
    browser, _ = world(demo, floor=SUBSTANTIAL)
    assert "NoAuthnContext" in refused_with(ask(browser, LOW, comparison="maximum"))
    assert not any(url.startswith(UPSTREAM) for _, url in browser.visits)


def test_an_sso_session_too_weak_for_a_new_request_logs_in_upstream_again(demo):
    browser, _ = world(demo)
    first = browser.get(APP + "/login")
    assert browser.submit(first, {"person": d.PERSON_OWN_NAME_ONLY, "means": "app"}).url == APP + "/"
    assert ask(browser, SUBSTANTIAL, comparison="minimum").url == APP + "/"  # substantial: SSO is enough
    again = ask(browser, HIGH, comparison="minimum")
    assert asked_upstream(again) == ("exact", LEVEL_HIGH)
    assert browser.submit(again, {"person": d.PERSON_OWN_NAME_ONLY, "means": "eid"}).url == APP + "/"


def test_a_class_ref_in_two_levels_is_a_configuration_problem(demo):
    levels = [{"name": "low", "class_refs": [LOW]}, {"name": "high", "class_refs": [HIGH, LOW]}]
    with pytest.raises(ConfigError) as problem:
        Settings.from_mapping(dict(demo.broker, AUTHN_LEVELS=levels))
    assert problem.value.problems == [f"AUTHN_LEVELS: level 2: {LOW} is already in level 1"]
