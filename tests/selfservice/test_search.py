"""Opzoeken (seed 000 §2.4): each filter, "N resultaten.", paging, details, export .xlsx and CSV;
only ever the logged-in party's mandates."""

import io
from urllib.parse import urlencode

import openpyxl
import pytest

from mandates_store import MandateSearch
from mandates_store import demo_data as d
from selfservice import create_app
from tests.browser import Browser
from tests.selfservice.helpers import SELF, log_in, words


@pytest.fixture
def browser(parties, demo):
    app = create_app(dict(demo.selfservice, PAGE_SIZE=2))
    return Browser({"localhost:8080": parties["broker"], "localhost:8090": parties["upstream"], "localhost:8070": app})


def _search(browser, **criteria):
    pairs = [("searched", "1")] + [(k, v) for k, vs in criteria.items() for v in (vs if isinstance(vs, list) else [vs])]
    return browser.get(f"{SELF}/opzoeken?{urlencode(pairs)}")


def _ids(page):
    return [int(cell.text_content()) for cell in page.doc.xpath("//table//tbody/tr/td[1]")]


def _count(page):
    return int(page.doc.xpath("//*[@id='count']")[0].text_content().split()[0])


@pytest.mark.parametrize(
    "criteria, query",
    [
        ({}, {}),
        ({"role": "taker"}, {"role": "taker"}),
        ({"role": "giver"}, {"role": "giver"}),
        ({"type": "Test ORG-ORG"}, {"types": frozenset({"Test ORG-ORG"})}),
        ({"status": "active"}, {"status": "active"}),
        ({"status": "stopped"}, {"status": "stopped"}),
        ({"changed_by": "taker"}, {"changed_by": "taker"}),
        ({"participants": "0411.515.075, 0844796259"}, {"participants": (d.EMMAUS, d.PARKWIND)}),
        ({"name": "emma"}, {"name": "emma"}),
        ({"reference": "nothing-like-this"}, {"reference": "nothing-like-this"}),
    ],
)
def test_each_filter_matches_the_store(browser, store, criteria, query):
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    expected = store.search(MandateSearch(party=d.BAROCY, **query))
    page = _search(browser, **criteria)
    assert page.status == 200
    assert _count(page) == len(expected)
    assert f"{len(expected)} resultaten." in words(page)
    assert _ids(page) == [m.id for m in expected][:2]


def test_paging_walks_the_whole_result(browser, store):
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    expected = [m.id for m in store.search(MandateSearch(party=d.BAROCY))]
    page, seen = _search(browser), []
    while True:
        seen += _ids(page)
        following = page.doc.xpath("//a[@rel='next']/@href")
        if not following:
            break
        page = browser.get(f"{SELF}/opzoeken{following[0]}")
    assert seen == expected and len(expected) > 2


def test_changed_since_and_a_bad_date(browser, store):
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    today = store.today()
    expected = store.search(MandateSearch(party=d.BAROCY, changed_since=today))
    assert _count(_search(browser, changed_since=today.strftime("%d/%m/%Y"))) == len(expected)
    bad = _search(browser, changed_since="2025-01-01")
    assert bad.status == 400 and "dd/mm/jjjj" in words(bad)


def test_no_parameter_reaches_another_party(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = _search(browser, party=d.COLRUYT, participants=d.COLRUYT)
    assert _count(page) == 0
    everything = _search(browser, party=d.COLRUYT)
    assert _count(everything) == len(store.search(MandateSearch(party=d.EMMAUS)))
    assert "Colruyt" not in words(everything)


def test_export_xlsx_and_csv_with_the_fixed_columns(browser, store):
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    expected = store.search(MandateSearch(party=d.BAROCY, role="taker"))
    client = browser.clients["localhost:8070"]
    answer = client.get("/opzoeken/resultaten.csv?role=taker", base_url=SELF)
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    lines = answer.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Identificatienummer;Mandaattype;Naam mandaatgever")
    assert len(lines) == len(expected) + 1
    answer = client.get("/opzoeken/resultaten.xlsx?role=taker", base_url=SELF)
    sheet = openpyxl.load_workbook(io.BytesIO(answer.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Identificatienummer" and sorted(r[0] for r in rows[1:]) == sorted(m.id for m in expected)


def test_export_after_the_right_ended_is_refused(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    right = next(r for r in store.rights(d.PERSON_MANAGER) if r.organisation == d.EMMAUS)
    store.end_right(right.id, store.today())
    client = browser.clients["localhost:8070"]
    assert client.get("/opzoeken/resultaten.csv", base_url=SELF).status_code == 403
    assert _search(browser).status == 403
