"""Full logins: demo application (pysaml2 SP) → broker → demo authenticator (pysaml2 IdP) →
broker chooser → signed assertion validated by the application's SP."""

import pytest

from broker import create_app
from demo.application import create_application_app
from demo.upstream import create_upstream_app
from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import APP, BROKER
from tests.e2e.helpers import cards, choose, login_at_upstream, received


def test_own_name_only_skips_the_chooser(browser):
    page = login_at_upstream(browser, d.PERSON_OWN_NAME_ONLY)
    assert page.url == APP + "/"
    got = received(browser)
    assert got["LoginKind"] == "own_name"
    assert got["ActingSubjectID"] == got["LegalSubjectID"] == d.PERSON_OWN_NAME_ONLY
    assert got["ActingSubjectIDType"] == "urn:be:fgov:person:ssin"
    assert got["ActingSubjectName"] == "An Peeters"
    assert "MandateID" not in got and "IntermediateSubjectID" not in got


def test_mandate_via_taker(browser, parties):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    assert page.url.startswith(BROKER + "/choose/")
    assert "Selecteer namens wie je wil aanmelden" in page.text
    shown = {(name, line) for name, _, line, _ in cards(page)}
    assert ("Emmaüs", "Mandaat via BAROCY") in {(n.split(" ")[0], line) for n, line in shown}
    assert not any("Meerdere" in line for _, line in shown)
    emmaus = next(name for name, _ in shown if name.startswith("Emmaüs"))
    page = choose(browser, page, emmaus, via="Mandaat via BAROCY")
    assert page.url == APP + "/", page.text[:500]
    got = received(browser)
    assert got["LoginKind"] == "mandate"
    assert got["ActingSubjectID"] == d.PERSON_EXECUTOR
    assert got["LegalSubjectID"] == d.EMMAUS
    assert got["LegalSubjectKind"] == "organisation"
    assert got["LegalSubjectIDType"] == "urn:be:fgov:kbo-bce:organization:cbe-number"
    assert got["IntermediateSubjectID"] == d.BAROCY
    assert got["MandateType"] == "WSE Loket"
    store = parties["broker"].extensions["store"]
    mandate = store.mandate(int(got["MandateID"]))
    assert (mandate.giver.number, mandate.taker.number, mandate.status) == (d.EMMAUS, d.BAROCY, "active")
    assert got["MandateValidFrom"] == mandate.start_date.isoformat()


def test_several_takers_second_screen(browser):
    page = login_at_upstream(browser, d.PERSON_SEVERAL_TAKERS)
    colruyt = next(c for c in cards(page) if c[1] == d.COLRUYT)
    assert colruyt[2] == "Meerdere mandaten mogelijk"
    page = choose(browser, page, colruyt[0])
    assert "De identiteit werd gevonden in meerdere bronnen" in page.text
    lines = sorted(line for _, _, line, _ in cards(page))
    assert len(lines) == 2 and all(line.startswith("Mandaat via ") for line in lines)
    pwc_line = next(line for line in lines if "Pricewaterhouse" in line)
    page = choose(browser, page, colruyt[0], via=pwc_line)
    assert page.url == APP + "/"
    got = received(browser)
    assert (got["LegalSubjectID"], got["IntermediateSubjectID"]) == (d.COLRUYT, d.PWC)


def test_tampered_option_is_refused(browser):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    refused = browser.submit(page, {"option": "forged-token"}, index=len(page.doc.forms) - 1)
    assert refused.status == 400
    assert "niet aangeboden" in refused.text
    assert received(browser) == {}


def test_missing_csrf_token_is_refused(browser):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    form = page.form(len(page.doc.forms) - 1)
    token = next(c[3] for c in cards(page) if not c[3].startswith("/"))
    answer = browser.go("POST", page.url, {"option": token})
    assert answer.status == 400 and received(browser) == {}
    assert form.inputs["csrf_token"].value  # the real form does carry one


def test_cancel_returns_a_denial_to_the_application(browser, parties):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    answer = browser.submit(page, index=len(page.doc.forms) - 1, button=("cancel", "1"))
    assert (answer.url, answer.status) == (APP + "/saml/acs", 403)
    assert "Aanmelden geweigerd" in answer.text and "no option chosen" in answer.text
    # the demo application, which integrators copy, shows the status in words, not as XML
    assert "De aanmelding werd geweigerd of geannuleerd." in answer.text
    assert "<samlp:" not in answer.text and "&lt;" not in answer.text and "Unsuccessful operation" not in answer.text
    assert received(browser) == {}


# valid check digits, and in neither the demo store nor its upstream's list of persons
UNKNOWN_PERSON = "75010112371"


@pytest.fixture
def browser_with_unknown_person(demo):
    """The demo, where the authenticator also knows a person the mandates store does not."""
    stranger = {"number": UNKNOWN_PERSON, "given_name": "Nora", "family_name": "Nieuwkomer", "note": ""}
    upstream = dict(demo.upstream, persons=[*demo.upstream["persons"], stranger])
    apps = {
        "localhost:8080": create_app(demo.broker),
        "localhost:8090": create_upstream_app(**upstream),
        "localhost:8000": create_application_app(**demo.application),
    }
    return Browser(apps)


def test_person_unknown_to_the_store_gets_own_name_with_the_authenticators_name(browser_with_unknown_person):
    browser = browser_with_unknown_person
    page = login_at_upstream(browser, UNKNOWN_PERSON)
    assert page.url == APP + "/", page.text[:500]
    got = received(browser)
    assert got["LoginKind"] == "own_name"
    assert got["ActingSubjectID"] == got["LegalSubjectID"] == UNKNOWN_PERSON
    assert got["ActingSubjectName"] == got["LegalSubjectName"] == "Nora Nieuwkomer"
    assert all(value for value in got.values()), got  # no attribute asserted empty
