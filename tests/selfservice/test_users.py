"""Gebruikersbeheer through real SAML logins via the broker: who may enter (and what the broker's
chooser offers), the seeds' chapter 1 with its effect at the next login, organisations' data kept
apart (also by guessed ids), the standing checked again on every write, CSRF, own name."""

import pytest

from mandates_store import MANDAATUITVOERDER
from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import APP
from tests.e2e.helpers import cards, login_at_upstream
from tests.selfservice.helpers import SELF, log_in, words

NEW = d.PERSON_NEW_COLLEAGUE


@pytest.fixture
def another_browser(parties, selfservice_app):
    def make():
        return Browser(
            {
                "localhost:8080": parties["broker"],
                "localhost:8090": parties["upstream"],
                "localhost:8000": parties["application"],
                "localhost:8070": selfservice_app,
            }
        )

    return make


def _form(page, action_part):
    """Index of the page's form whose action ends with `action_part`."""
    return next(i for i, f in enumerate(page.doc.forms) if (f.action or "").endswith(action_part))


def _post(browser, page, action_part, values=None):
    return browser.submit(page, values or {}, index=_form(page, action_part))


def _givers_at_demo_application(browser):
    page = login_at_upstream(browser, NEW, app=APP)
    if "/choose/" not in page.url:
        return set()
    return {name for name, _, via, _ in cards(page) if via == "Mandaat via BAROCY"}


def test_the_seeds_chapter_one_for_barocy(browser, another_browser, store):
    first = log_in(browser, d.PERSON_LOCAL_ADMIN, "BAROCY")
    assert first.url == SELF + "/gebruikers"  # a local administrator only: straight to Gebruikersbeheer
    assert "Lotte Verbeke" in words(first) and "Tom Goossens" not in words(first)
    added = _post(browser, first, "/gebruikers/toevoegen", {"number": "95.09.03-135.87"})
    assert added.url == f"{SELF}/gebruikers/{NEW}", words(added)[:400]
    assert "De werkrelatie werd toegevoegd" in words(added)
    given = _post(browser, added, "/rechten", {"right": MANDAATUITVOERDER, "type": "WSE Loket"})
    assert "Het recht werd gegeven" in words(given) and "WSE Loket" in words(given)
    colleague = another_browser()
    assert {"Emmaüs", "PARKWIND"} <= _givers_at_demo_application(colleague)
    right = next(r for r in store.rights(NEW) if r.name == MANDAATUITVOERDER)
    ended = _post(browser, given, f"/rechten/{right.id}/beeindigen")
    assert "Het recht werd beëindigd" in words(ended) and "Beëindigd" in words(ended)
    assert _givers_at_demo_application(another_browser()) == set()
    history = browser.get(SELF + "/gebruikers/historiek")
    text = words(history)
    assert text.count("Karin Vermeulen") >= 3 and "Recht beëindigd" in text and "Werkrelatie toegevoegd" in text


def test_ending_a_work_relationship_ends_its_rights_visibly(browser, store):
    page = log_in(browser, d.PERSON_LOCAL_ADMIN, "BAROCY")
    lotte = browser.get(f"{SELF}/gebruikers/{d.PERSON_EXECUTOR}")
    (relationship,) = store.member(d.BAROCY, d.PERSON_EXECUTOR).relationships
    ended = _post(browser, lotte, f"/werkrelaties/{relationship.id}/beeindigen")
    assert "De werkrelatie werd beëindigd, en daarmee 1 rechten." in words(ended)
    assert words(ended).count("Beëindigd") == 2  # the relationship and the right inside it
    assert page.status == 200


def test_the_chooser_offers_only_organisations_to_administer_or_manage(browser):
    # Lotte is an executor at BAROCY, not its administrator nor manager: own name only, no chooser
    page = log_in(browser, d.PERSON_EXECUTOR)
    assert page.url == SELF + "/" and "Lotte Verbeke" in words(page)
    nothing = browser.get(SELF + "/gebruikers")
    assert "niets te beheren" in words(nothing) or "geen gebruikers te beheren" in words(nothing)
    assert "Karin Vermeulen" in words(nothing)  # her own local administrators (Mijn lokale beheerders)


def test_the_chooser_of_the_local_administrator(browser):
    page = browser.get(SELF + "/login")
    page = browser.submit(page, {"person": d.PERSON_LOCAL_ADMIN, "means": "eid"})
    assert sorted(name for name, *_ in cards(page)) == ["BAROCY", "Karin Vermeulen"]


def test_another_organisations_people_and_rights_answer_404(browser, store):
    log_in(browser, d.PERSON_LOCAL_ADMIN, "BAROCY")
    sofie_right = store.rights(d.PERSON_MANAGER)[0]
    sofie_relationship = store.work_relationships(d.PERSON_MANAGER)[0]
    lotte_right = store.rights(d.PERSON_EXECUTOR)[0]
    for path in (f"/gebruikers/{d.PERSON_MANAGER}", "/gebruikers/99999999999", "/gebruikers/abc", "/gebruikers/1"):
        assert browser.get(SELF + path).status == 404, path
    page = browser.get(f"{SELF}/gebruikers/{d.PERSON_EXECUTOR}")
    token = page.doc.xpath("//input[@name='csrf_token']/@value")[0]
    for path in (
        f"/gebruikers/{d.PERSON_MANAGER}/rechten/{sofie_right.id}/beeindigen",
        f"/gebruikers/{d.PERSON_EXECUTOR}/rechten/{sofie_right.id}/beeindigen",
        f"/gebruikers/{d.PERSON_EXECUTOR}/werkrelaties/{sofie_relationship.id}/beeindigen",
        f"/gebruikers/{d.PERSON_MANAGER}/werkrelaties/{sofie_relationship.id}/beeindigen",
        f"/gebruikers/{d.PERSON_MANAGER}/rechten/{lotte_right.id}/beeindigen",
        f"/gebruikers/{d.PERSON_EXECUTOR}/rechten/99999/beeindigen",
        f"/gebruikers/{d.PERSON_EXECUTOR}/rechten/x/beeindigen",
        f"/gebruikers/{d.PERSON_MANAGER}/rechten",
    ):
        answer = browser.go("POST", SELF + path, {"csrf_token": token, "right": MANDAATUITVOERDER, "type": "Kiosk"})
        assert answer.status == 404, path
        assert "Sofie" not in answer.text
    assert store.rights(d.PERSON_MANAGER)[0] == sofie_right
    assert store.rights(d.PERSON_EXECUTOR)[0] == lotte_right


def test_a_manager_may_not_enter_but_sees_the_local_administrators(browser):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    start = browser.get(SELF + "/")
    assert "Mijn lokale beheerders" in words(start) and "/gebruikers" not in start.text  # no way in
    refused = browser.get(SELF + "/gebruikers")
    assert refused.status == 403 and "Lokale beheerder" in words(refused)
    mine = browser.get(SELF + "/lokale-beheerders")  # any member sees them
    assert mine.status == 200 and "Emmaüs" in words(mine) and "Nog geen lokale beheerder" in words(mine)


def test_a_standing_ended_during_the_session_stops_the_next_write(browser, store):
    log_in(browser, d.PERSON_LOCAL_ADMIN, "BAROCY")
    page = browser.get(f"{SELF}/gebruikers/{d.PERSON_EXECUTOR}")
    own = next(r for r in store.rights(d.PERSON_LOCAL_ADMIN) if r.name == "Hoofd lokale beheerder")
    store.end_right(own.id, store.today())
    right = store.rights(d.PERSON_EXECUTOR)[0]
    answer = _post(browser, page, f"/rechten/{right.id}/beeindigen")
    assert answer.status == 403
    assert store.rights(d.PERSON_EXECUTOR)[0] == right


def test_csrf_and_a_local_administrator_who_is_no_head(browser, store):
    today = store.today()
    store.add_work_relationship(NEW, d.BAROCY, today)
    store.grant_right(NEW, d.BAROCY, "Lokale beheerder", today)
    log_in(browser, NEW, "BAROCY")
    page = browser.get(f"{SELF}/gebruikers/{d.PERSON_EXECUTOR}")
    options = page.doc.xpath("//select[@name='right']/option/@value")
    assert "Lokale beheerder" not in options and MANDAAT_RIGHTS <= set(options)
    token = page.doc.xpath("//input[@name='csrf_token']/@value")[0]
    target = f"{SELF}/gebruikers/{d.PERSON_EXECUTOR}/rechten"
    forged = browser.go("POST", target, {"csrf_token": token, "right": "Lokale beheerder"})
    assert forged.status == 400 and "je mag het recht 'Lokale beheerder' niet geven" in words(forged)
    assert browser.go("POST", target, {"right": MANDAATUITVOERDER, "type": "WSE Loket"}).status == 400  # no token
    assert not any(r.name == "Lokale beheerder" for r in store.rights(d.PERSON_EXECUTOR))


MANDAAT_RIGHTS = {"SSM Mandaatbeheerder", MANDAATUITVOERDER}


def test_search_by_name_and_number_and_a_bad_date(browser):
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")  # the legal representative administers too
    found = browser.get(SELF + "/gebruikers?q=verbeke")
    assert "Lotte Verbeke" in words(found) and "Karin" not in words(found)
    by_number = browser.get(SELF + "/gebruikers?q=76.05.18-246.69")
    assert "Karin Vermeulen" in words(by_number) and "Lotte" not in words(by_number)
    page = browser.get(f"{SELF}/gebruikers/{d.PERSON_EXECUTOR}")
    bad = _post(browser, page, "/rechten", {"right": "SSM Mandaatbeheerder", "valid_from": "31/02/2026"})
    assert bad.status == 400 and "Deze datum bestaat niet." in words(bad)
    outside = _post(
        browser, page, "/rechten", {"right": MANDAATUITVOERDER, "type": "WSE Loket", "givers": "0411.515.075"}
    )
    assert "Het recht werd gegeven" in words(outside)
    rows = [
        [" ".join(c.text_content().split()) for c in tr] for tr in outside.doc.xpath("//*[@id='user-rights']//tbody/tr")
    ]
    assert any(row[:3] == [MANDAATUITVOERDER, "WSE Loket", "0411515075"] for row in rows), rows


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_the_words_shown_from_tables_are_translated(language):
    from selfservice import i18n
    from selfservice.views_users import EVENT_WORDS, NO_ADMINISTRATION, PERIOD_WORDS

    shown = {*EVENT_WORDS.values(), *PERIOD_WORDS.values(), NO_ADMINISTRATION}
    assert sorted(shown - set(i18n.CATALOGUES[language])) == []
