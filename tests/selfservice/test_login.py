"""Logging in at Mandatenbeheer through the real broker, for each kind it accepts, and out again."""

from mandates_store import demo_data as d
from tests.conftest import BROKER
from tests.selfservice.helpers import SELF, log_in, logged_in_for, words


def test_own_name_start_page(browser):
    page = log_in(browser, d.PERSON_OWN_NAME_ONLY)
    assert page.url == SELF + "/", page.text[:500]
    assert logged_in_for(page) == "An Peeters"
    assert "Mandaten die ik moet ondertekenen (0)" in words(page)


def test_manager_at_emmaus_chooses_the_organisation(browser):
    page = log_in(browser, d.PERSON_MANAGER)
    assert page.url.startswith(BROKER + "/choose/"), page.url
    assert "Selecteer namens wie je wil aanmelden" in page.text
    page = log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    assert page.url == SELF + "/"
    assert logged_in_for(page) == "Emmaüs"
    assert "0411515075" in page.text


def test_legal_representative_acts_for_the_enterprise(browser):
    page = log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    assert logged_in_for(page) == "BAROCY"
    # BAROCY (the taker) made BALOISE's mandate: it awaits BALOISE's signature, not BAROCY's
    text = words(page)
    assert "Mandaten die ik moet ondertekenen (0)" in text
    assert "Mandaten in afwachting van ondertekening door de andere partij (1)" in text and "BALOISE BELGIUM" in text


def test_executor_without_manager_right_gets_only_own_name(browser):
    # Lotte Verbeke is SSM Mandaatuitvoerder at BAROCY, not Mandaatbeheerder: no BAROCY option
    page = log_in(browser, d.PERSON_EXECUTOR)
    assert page.url == SELF + "/", page.url
    assert logged_in_for(page) == "Lotte Verbeke"


def test_switch_goes_back_to_the_chooser(browser):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(SELF + "/switch")
    assert page.url.startswith(BROKER + "/choose/")
    page = log_in(browser, d.PERSON_MANAGER, "Sofie Maes")
    assert logged_in_for(page) == "Sofie Maes"


def test_logout_through_single_logout(browser):
    page = log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.submit(page, index=0)  # the header's "Afmelden" form
    assert "Afgemeld" in page.text, page.text[:500]
    assert logged_in_for(browser.get(SELF + "/")) == ""


def test_pages_need_a_login(browser):
    assert browser.get(SELF + "/mandaten/1").status == 401
    assert "Aanmelden" in browser.get(SELF + "/").text
