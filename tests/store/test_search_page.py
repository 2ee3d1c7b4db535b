"""Store.search_page: the count of the whole result and one page of it, newest first."""

from mandates_store import MandateSearch
from mandates_store import demo_data as d


def test_pages_cover_the_result_once(demo):
    query = MandateSearch(party=d.BAROCY)
    everything = demo.search(query)
    total, first = demo.search_page(query, offset=0, limit=2)
    assert total == len(everything) > 3
    pages = [first]
    while sum(map(len, pages)) < total:
        pages.append(demo.search_page(query, offset=sum(map(len, pages)), limit=2)[1])
    assert [m.id for page in pages for m in page] == [m.id for m in everything]


def test_count_follows_the_filters(demo):
    query = MandateSearch(party=d.BAROCY, role="taker", status="awaiting_signature")
    total, page = demo.search_page(query, offset=0, limit=10)
    assert total == len(page) == len(demo.search(query)) == 1
    assert demo.search_page(MandateSearch(party=d.BAROCY, name="no such name"), offset=0, limit=5) == (0, [])
