"""Single sign-on to a second application, and Single Logout started by an application."""

import pytest

from mandates_store import demo_data as d
from tests.conftest import APP, APP2, UPSTREAM
from tests.e2e.helpers import cards, choose, login_at_upstream, received


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


def upstream_visits(browser):
    return [url for _, url in browser.visits if url.startswith(UPSTREAM)]


def test_second_application_skips_upstream_but_gets_its_own_chooser(browser):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    emmaus = next(c for c in cards(page) if c[1] == d.EMMAUS)
    choose(browser, page, emmaus[0])
    assert received(browser)["LegalSubjectID"] == d.EMMAUS
    visits_before = len(upstream_visits(browser))

    page = browser.get(APP2 + "/login")
    assert len(upstream_visits(browser)) == visits_before, "no second upstream login"
    # the Kiosk application's own chooser: own name and work relationship are off there, and the
    # executor holds no Kiosk right, so no option at all
    assert page.status == 403 and "geen toegang" in page.text


def test_second_application_with_a_kiosk_mandate(browser):
    # Noor De Smet is taker of a person-to-person Kiosk mandate: one option, but the Kiosk
    # policy says never to skip the chooser
    login_at_upstream(browser, d.PERSON_YOUNG)
    assert received(browser)["LoginKind"] == "own_name"
    page = browser.get(APP2 + "/login")
    assert "/choose/" in page.url
    assert [c[2] for c in cards(page)] == ["Mandaat aan jou"]  # the taker is the person: not "via" their own name
    page = choose(browser, page, cards(page)[0][0])
    got = received(browser, APP2)
    assert got["MandateType"] == "Kiosk" and got["LegalSubjectID"] == d.PERSON_OWN_NAME_ONLY
    assert got["IntermediateSubjectID"] == d.PERSON_YOUNG == got["ActingSubjectID"]


def test_logout_from_one_application_ends_everything(browser, parties):
    login_at_upstream(browser, d.PERSON_YOUNG)
    page = browser.get(APP2 + "/login")
    choose(browser, page, cards(page)[0][0])
    assert received(browser) and received(browser, APP2)
    state = parties["broker"].extensions["state"]
    (session_id,) = [row[0] for row in state.conn.execute("SELECT id FROM sessions WHERE ended IS NULL")]

    page = browser.get(APP + "/logout")
    assert page.url.startswith(APP + "/saml/slo") and "Afgemeld" in page.text
    hops = [url.split("?")[0] for _, url in browser.visits[-8:]]
    assert APP2 + "/saml/slo" in hops, "the other application was told"
    assert UPSTREAM + "/slo" in hops, "the upstream authenticator was told"
    assert received(browser, APP2) == {}
    assert state.session_record(session_id).ended is not None

    # logged out for real: a new login goes upstream again
    page = browser.get(APP + "/login")
    assert page.url.startswith(UPSTREAM + "/sso")
