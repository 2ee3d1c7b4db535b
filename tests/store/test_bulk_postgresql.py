"""Bulk create on PostgreSQL: a chunk's rows go in with one statement per table."""

from mandates_store import Store
from tests.store.conftest import ORG_A, ORG_D, ORG_E, admin, fill_world


def test_a_chunk_is_a_few_statements_whatever_its_lines(postgres_url, clock, round_trips):
    """Row by row, each of a chunk's lines was four executions in the server (its mandate,
    history, report line and report link), each costing more than its insert."""
    with Store(postgres_url, now=clock) as store:
        fill_world(store)
        store.put_party(ORG_D, "Etablissements Fr. Colruyt")
        store.put_party(ORG_E, "Onderneming 0402206045")
        lines = [f"{ORG_D if i % 2 else ORG_E};;;nl;R{i}" for i in range(200)]
        with round_trips(store.db) as trips:
            report = store.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=lines, accept_contract=True)
        assert len(report.created) == 200
        assert trips.statements < 30, trips.statements


def test_many_rows_in_one_insert_keep_their_order_values_and_nulls(postgres_url):
    with Store(postgres_url) as store:
        db = store.db
        db.execute("CREATE TABLE batch_probe (id BIGINT GENERATED ALWAYS AS IDENTITY, n INTEGER, t TEXT, fixed TEXT)")
        rows = [(i, None if i % 3 == 0 else f"it's {i}%") for i in range(500)]
        db.executemany("INSERT INTO batch_probe (n, t, fixed) VALUES (?, ?, 'x')", rows)
        found = db.execute("SELECT id, n, t, fixed FROM batch_probe ORDER BY id").fetchall()
        assert [(n, t) for _, n, t, _ in found] == rows  # the identity counts in the rows' order
        assert {fixed for *_, fixed in found} == {"x"}
