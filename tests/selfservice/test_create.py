"""Aanmaken (seed 000 §2.2) through the real broker login: every field, the lookup rules, the
contract, "Succesvol aangemaakte mandaten"."""

from datetime import timedelta

from mandates_store import MandateSearch
from mandates_store import demo_data as d
from tests.selfservice.helpers import SELF, log_in, submit, words


def _form(browser):
    page = browser.get(SELF + "/aanmaken")
    assert page.status == 200 and "Kies een mandaattype" in words(page)
    return page


def _fill(page, browser, values, step):
    return submit(browser, page, dict(values, step=step))


def test_barocy_creates_wse_loket_from_colruyt_as_taker(browser, store):
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    page = _form(browser)
    today = store.today()
    assert page.form(1).inputs["start"].value == today.strftime("%d/%m/%Y")  # default today
    assert "organisatie → onderneming" not in words(page)
    assert "onderneming → onderneming" in words(page)  # WSE Loket's combinations shown
    page = _fill(page, browser, {"enterprise": "0400.378.485"}, "lookup")
    assert "Gevonden: Etablissements Fr. Colruyt (0400378485)" in words(page)
    start = today + timedelta(days=30)
    values = {
        "start": start.strftime("%d/%m/%Y"),
        "end": "",
        "reference": "DOSSIER-<b>7</b>",
        "type": "WSE Loket",
        "role": "taker",
    }
    page = _fill(page, browser, values, "review")
    assert page.status == 200, words(page)[:800]
    assert "Ik heb de voorwaarden gelezen en ga akkoord" in words(page)
    assert "DOSSIER-<b>7</b>" in words(page) and "<b>7</b>" not in page.text  # escaped
    refused = submit(browser, page, {"step": "confirm"})
    assert refused.status == 400 and "Je moet de voorwaarden" in words(refused)
    done = submit(browser, refused, {"step": "confirm", "accept": "yes"})
    assert done.url.startswith(SELF + "/aanmaken/bevestiging"), words(done)[:500]
    assert "Succesvol aangemaakte mandaten" in words(done)
    made = store.search(MandateSearch(party=d.BAROCY, role="taker", reference="DOSSIER-<b>7</b>"))
    assert len(made) == 1 and made[0].giver.number == d.COLRUYT and made[0].signer == d.COLRUYT
    assert made[0].start_date == start and made[0].status == "awaiting_signature"
    assert f"technisch nummer {made[0].id}" in words(done)
    assert "vanaf " + start.strftime("%d/%m/%Y") in words(done)


def test_end_date_is_typed_as_the_last_valid_day(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = _fill(_form(browser), browser, {"enterprise_name": "PARKWIND"}, "lookup")
    today = store.today()
    values = {"end": (today + timedelta(days=9)).strftime("%d/%m/%Y"), "type": "Test ORG-ORG", "role": "giver"}
    page = _fill(page, browser, values, "review")
    done = submit(browser, page, {"step": "confirm", "accept": "yes"})
    mandate = store.mandate(int(done.url.rsplit("=", 1)[1]))
    assert mandate.end_date == today + timedelta(days=10)  # stored exclusive
    assert "tot en met " + (today + timedelta(days=9)).strftime("%d/%m/%Y") in words(done)


def test_lookup_finds_exactly_one_or_none(browser):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = _form(browser)
    for values in ({"enterprise_name": "BARO"}, {"enterprise_name": "BAROCY*"}, {"enterprise": "0999999999"}):
        answer = _fill(page, browser, values, "lookup")
        assert "Gevonden" not in words(answer), values
    assert "Gevonden: BAROCY" in words(_fill(page, browser, {"enterprise_name": "BAROCY"}, "lookup"))
    person = {"person_number": "79.03.15-104.59", "street": "Lindenlaan", "house_number": "4", "postcode": "2000"}
    assert "Gevonden: An Peeters" in words(_fill(page, browser, person, "lookup"))
    wrong = _fill(page, browser, dict(person, house_number="5"), "lookup")
    assert "Gevonden" not in words(wrong) and "Geen resultaat" in words(wrong)
    missing = _fill(page, browser, dict(person, street=""), "lookup")
    assert "verplicht" in words(missing)


def test_refusals_in_the_pages_words(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = _fill(_form(browser), browser, {"enterprise": "0806154033"}, "lookup")
    yesterday = (store.today() - timedelta(days=1)).strftime("%d/%m/%Y")
    cases = [
        ({"start": yesterday, "type": "WSE Loket", "role": "giver"}, "mag niet in het verleden"),
        ({"start": "31/02/2030", "type": "WSE Loket", "role": "giver"}, "bestaat niet"),
        ({"start": "2030-01-01", "type": "WSE Loket", "role": "giver"}, "dd/mm/jjjj"),
        ({"type": ["WSE Loket", "Test ORG-ORG"], "role": "giver"}, "niet onderling combineerbaar"),
        ({"role": "giver"}, "Kies minstens één mandaattype"),
        ({"type": "WSE Loket"}, "Kies je rol"),
    ]
    for values, expected in cases:
        answer = submit(browser, page, dict(values, step="review"))
        assert answer.status == 400 and expected in words(answer), (values, words(answer)[:600])
