"""The chooser's page model with thousands of givers: order, accent-blind search, paging; and the
language the pages default to."""

from broker.selection.chooser import PAGE_SIZE, chooser_page
from mandates_store import LoginOption, Party
from mandates_store import demo_data as d
from tests.e2e.helpers import login_at_upstream

ME = Party("88012226557", "person", "Lotte Verbeke")
FIRM = Party("0806154033", "organisation", "BAROCY")


def _mandate(i: int, name: str) -> tuple[str, LoginOption]:
    giver = Party(f"{i:010d}", "organisation", name)
    return f"t{i}", LoginOption("mandate", ME, giver, FIRM, i, "WSE Loket", None, None, "", f"mandate:{i}")


def _options(count: int):
    own = ("own", LoginOption("own_name", ME, ME, None, None, None, None, None, "", "own"))
    return [_mandate(i, f"Klant {count - i:04d}") for i in range(count)] + [own]


def test_two_thousand_givers_come_in_order_and_in_pages():
    page = chooser_page(_options(2000))
    assert (page.total, page.pages, len(page.cards)) == (2001, -(-2001 // PAGE_SIZE), PAGE_SIZE)
    assert page.cards[0].represented == ME  # own name first
    assert [c.represented.name for c in page.cards[1:4]] == ["Klant 0001", "Klant 0002", "Klant 0003"]
    last = chooser_page(_options(2000), page="9999")
    assert last.page == last.pages and last.cards[-1].represented.name == "Klant 2000"


def test_search_ignores_case_accents_and_dots():
    options = _options(30) + [_mandate(411515075, "Emmaüs")]
    assert [c.represented.name for c in chooser_page(options, query="EMMAUS").cards] == ["Emmaüs"]
    assert [c.represented.name for c in chooser_page(options, query="0411.515.075").cards] == ["Emmaüs"]
    assert chooser_page(options, query="nobody").cards == ()


def test_a_directed_giver_prefills_the_search_or_says_it_is_missing():
    options = _options(30)
    wanted = options[3][1].represented.number
    assert [c.represented.number for c in chooser_page(options, giver=wanted).cards] == [wanted]
    missing = chooser_page(options, giver="0400378485")
    assert missing.requested_missing == "0400378485" and missing.total == 31


def test_dutch_unless_the_browser_asks_for_a_language_the_broker_has(browser):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    assert '<html lang="nl">' in page.text
    client = browser.clients["localhost:8080"]
    spanish = client.get(page.url.split("8080")[1], headers={"Accept-Language": "es"}, base_url="http://localhost:8080")
    assert '<html lang="nl">' in spanish.get_data(as_text=True)
    german = client.get(
        page.url.split("8080")[1], headers={"Accept-Language": "de-BE,de"}, base_url="http://localhost:8080"
    )
    assert "Wählen Sie, in wessen Namen" in german.get_data(as_text=True)


def test_a_policy_may_keep_the_chooser_for_a_single_option(browser):
    # the Kiosk application (tests/conftest.py) says skip_single_option: false; Noor has one option there
    page = login_at_upstream(browser, d.PERSON_YOUNG, app="http://localhost:8001")
    assert "/choose/" in page.url
    assert len(page.doc.xpath("//li[@class='card']")) == 1
