"""Store.search_page: the count of the whole result and one page of it, newest first."""

import pytest

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


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_filter_but_the_name_counts_and_pages_from_the_indexes_alone(demo):
    """A firm with a hundred thousand mandates: no table row is read to count or page them
    (SQLite's query plan; PostgreSQL's planner chooses by its statistics)."""
    from datetime import date

    from mandates_store import search

    queries = [
        MandateSearch(party=d.BAROCY),
        MandateSearch(party=d.BAROCY, role="taker", status="active"),
        MandateSearch(party=d.BAROCY, role="giver", types=frozenset({"WSE Loket"})),
        MandateSearch(party=d.BAROCY, changed_by="giver", changed_since=date(2020, 1, 1)),
    ]
    for query in queries:
        tables, where, params = search._where(query, date(2026, 12, 1))
        sql = f"SELECT count(*), max(m.id) FROM {tables} WHERE {' AND '.join(where) or 'TRUE'}"
        plan = [row[3] for row in demo.db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        reads = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
        assert reads and all("COVERING INDEX" in step for step in reads), (query, plan)
