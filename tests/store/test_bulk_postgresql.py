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


def test_a_batch_s_arrays_go_in_binary_with_every_text_as_it_was(postgres_url, monkeypatch):
    """psycopg's text array format quotes each element (a regular expression per element, a
    second of a bulk import's client time per 100,000 lines); the binary format sends lengths."""
    from psycopg.types import array

    text_dump = array.ListDumper.dump

    def no_text_arrays(self, obj):  # an array of NULLs only has no type for the binary format
        assert all(item is None for item in obj), "a batch's array went in the text format"
        return text_dump(self, obj)

    texts = ["", "NULL", "a,b", "{x}", 'say "hi"', "back\\slash", " spaced ", "é ü ∞", "it's 100%", None]
    with Store(postgres_url) as store:
        db = store.db
        db.execute("CREATE TABLE batch_probe (id BIGINT GENERATED ALWAYS AS IDENTITY, n BIGINT, t TEXT, k INTEGER)")
        monkeypatch.setattr(array.ListDumper, "dump", no_text_arrays)
        rows = [(2**40 + i, text, None) for i, text in enumerate(texts)] + [(None, None, None)]
        db.executemany("INSERT INTO batch_probe (n, t, k) VALUES (?, ?, ?)", rows)
        assert db.execute("SELECT n, t, k FROM batch_probe ORDER BY id").fetchall() == rows


def test_a_chunk_s_lookup_of_signed_mandates_is_bounded_by_its_counterparties(postgres_url, clock):
    """The plan a connection keeps for the chunk query is made early in an import, when the own
    party has few mandates; joined on the counterparty alone, it then scanned all of the own
    party's mandates (its growing bulk-made ones too) once per chunk: 30 % of the server's time
    for 100,000 lines. The counterparties must bound the index scan itself."""
    import json

    from mandates_store.bulk.create import _Importer
    from mandates_store.engines.postgresql import translate
    from mandates_store.mandates import prepare_create

    with Store(postgres_url, now=clock) as store:
        fill_world(store)
        db = store.db
        context = prepare_create(db, admin(ORG_A), "giver", ["WSE Loket"], store.today())
        sql, params = _Importer(db, context, 0, clock()).chunk_query(json.dumps([ORG_D, ORG_E]))
        db.execute("SET plan_cache_mode = force_generic_plan")  # the plan a connection keeps
        ((plan,),) = db.conn.execute("EXPLAIN (FORMAT JSON) " + translate(sql), params).fetchall()

        def scans(node):
            yield node
            for child in node.get("Plans", ()):
                yield from scans(child)

        (mandates,) = [node for node in scans(plan[0]["Plan"]) if node.get("Relation Name") == "mandates"]
        condition = mandates.get("Index Cond", "")
        assert "taker" in condition and "giver" in condition, mandates
        # ... by a b-tree key index: a probe of the conflict rule's GiST index (the signed mandates)
        # cost 8x a b-tree's at 100,000 mandates (0.089 against 0.010 ms, EXPLAIN ANALYZE). On an
        # empty store both mandate indexes cost the same; which one the planner takes then
        # follows their age (store step 12 made mandates_by_taker anew).
        assert mandates["Index Name"] in ("mandates_by_giver", "mandates_by_taker"), mandates
