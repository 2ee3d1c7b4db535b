"""Authorization: a party sees only its own mandates, also by a guessed number; an ended right stops
the next page at once."""

from mandates_store import MandateSearch
from mandates_store import demo_data as d
from tests.selfservice.helpers import SELF, log_in, words


def _mandate_of(store, giver, taker):
    return next(m for m in store.search(MandateSearch(party=giver, role="giver")) if m.taker.number == taker)


def test_details_of_own_mandate_and_404_for_another_partys(browser, store):
    own = _mandate_of(store, d.EMMAUS, d.BAROCY)
    other = _mandate_of(store, d.COLRUYT, d.DELOITTE)
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(f"{SELF}/mandaten/{own.id}")
    assert page.status == 200 and "BAROCY" in words(page)
    assert "Historiek" in words(page)
    for guess in (other.id, 99999999, "abc", 10**30):
        refused = browser.get(f"{SELF}/mandaten/{guess}")
        assert refused.status == 404, guess
        assert "Colruyt" not in refused.text and "DELOITTE" not in refused.text
    seen = browser.get(f"{SELF}/mandaten/{other.id}").text.replace(str(other.id), "N")
    assert seen == browser.get(f"{SELF}/mandaten/99999999").text.replace("99999999", "N")


def test_a_person_sees_nothing_of_an_organisation(browser, store):
    own = _mandate_of(store, d.EMMAUS, d.BAROCY)
    log_in(browser, d.PERSON_MANAGER, "Sofie Maes")
    assert browser.get(f"{SELF}/mandaten/{own.id}").status == 404


def test_an_ended_right_stops_the_next_page(browser, store):
    own = _mandate_of(store, d.EMMAUS, d.BAROCY)
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    assert browser.get(f"{SELF}/mandaten/{own.id}").status == 200
    right = next(r for r in store.rights(d.PERSON_MANAGER) if r.organisation == d.EMMAUS)
    store.end_right(right.id, store.today())
    for path in ("/", f"/mandaten/{own.id}"):
        page = browser.get(SELF + path)
        assert page.status == 403, path
        assert "niet meer beheren" in page.text and "BAROCY" not in words(page).split("Mandatenbeheer")[-1]


def test_security_headers(browser):
    page_response = browser.clients["localhost:8070"].get("/", base_url=SELF)
    policy = page_response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page_response.headers["X-Frame-Options"] == "DENY"


def test_logout_form_needs_its_csrf_token(browser):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    answer = browser.go("POST", SELF + "/logout", {})
    assert answer.status == 400
    assert "Emmaüs" in words(browser.get(SELF + "/"))  # still logged in


def test_the_language_switch_returns_only_within_the_application(browser):
    client = browser.clients["localhost:8070"]
    for target in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        answer = client.get("/taal/fr", query_string={"next": target}, base_url=SELF)
        assert answer.headers["Location"] == "/", target
    assert client.get("/taal/fr", query_string={"next": "/opzoeken"}, base_url=SELF).headers["Location"] == "/opzoeken"


def test_history_in_french_and_the_confirmation_page_of_another_party(browser, store):
    own = _mandate_of(store, d.EMMAUS, d.BAROCY)
    other = _mandate_of(store, d.COLRUYT, d.DELOITTE)
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    browser.get(SELF + "/taal/fr?next=/")
    page = browser.get(f"{SELF}/mandaten/{own.id}")
    assert "Historique" in words(page) and "Créé par" in words(page) and "Aangemaakt" not in words(page)
    assert browser.get(f"{SELF}/aanmaken/bevestiging?m={other.id}").status == 404
    assert browser.get(f"{SELF}/aanmaken/bevestiging?m={own.id}&m={other.id}").status == 404
