"""Store step 11: the index of signed mandates SQLite's bulk conflict lookup reads (PostgreSQL's
lookup keeps mandates_by_giver, see test_bulk_postgresql), and on PostgreSQL the party numbers
under "C" that a login's giver join reads."""

import json

from mandates_store import SCHEMA_VERSION, Store
from mandates_store.schema import PARTY_NUMBERS_C, SIGNED_INDEX
from tests.store.conftest import ORG_A, ORG_B, ORG_C, active_mandate, admin, fill_world
from tests.store.old_steps import back_to_step_11


def index_definition(store: Store, name: str = SIGNED_INDEX) -> str | None:
    db = store.db
    if db.engine == "sqlite":
        found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [name])
    else:
        found = db.execute("SELECT indexdef FROM pg_indexes WHERE indexname = ?", [name])
    row = found.fetchone()
    return row and row[0]


def signed_in_index(store: Store, giver: str) -> list[int]:
    """SQLite: the ids the index holds for `giver`, read from the index alone."""
    sql = f"SELECT id FROM mandates INDEXED BY {SIGNED_INDEX} WHERE giver = ? AND state = 'signed' ORDER BY id"
    return [row[0] for row in store.db.execute(sql, [giver])]


def test_a_step_10_store_gets_the_index_of_signed_mandates_and_keeps_its_data(store_location, clock):
    with Store(store_location, now=clock) as store:
        fill_world(store)
        signed = active_mandate(store, ORG_A, ORG_B)
        report = store.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=[ORG_C], accept_contract=True)
        (awaiting,) = report.created
        # the store as step 10 left it
        back_to_step_11(store)
        if store.db.engine == "sqlite":
            store.db.execute(f"DROP INDEX {SIGNED_INDEX}")
            store.db.execute("PRAGMA user_version = 10")
        else:
            store.db.execute(f"DROP INDEX {PARTY_NUMBERS_C}")
            store.db.execute("UPDATE schema_version SET version = 10")
    with Store(store_location, now=clock) as store:
        assert store.db.schema_version() == SCHEMA_VERSION == 12
        definition = index_definition(store)
        if store.db.engine == "sqlite":
            assert "(giver, taker, type_code, state, start_date, end_date) WHERE state = 'signed'" in definition
            assert signed_in_index(store, ORG_A) == [signed.id]
            assert index_definition(store, PARTY_NUMBERS_C) is None
        else:
            assert definition is None
            assert index_definition(store, PARTY_NUMBERS_C) is None  # made at step 11, dropped at step 12
        states = dict(store.db.execute("SELECT id, state FROM mandates WHERE giver = ?", [ORG_A]).fetchall())
        assert states == {signed.id: "signed", awaiting: "awaiting"}


def test_on_sqlite_the_index_holds_no_awaiting_mandate(tmp_path, clock):
    with Store(tmp_path / "store.db", now=clock) as store:
        fill_world(store)
        signed = active_mandate(store, ORG_A, ORG_B)
        store.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=[ORG_C], accept_contract=True)
        entries = store.db.execute(f"SELECT count(*) FROM mandates INDEXED BY {SIGNED_INDEX} WHERE state = 'signed'")
        assert entries.fetchone()[0] == 1
        assert signed_in_index(store, ORG_A) == [signed.id]


def test_the_bulk_conflict_lookup_reads_the_index_of_signed_mandates(store, clock):
    """On SQLite the chunk query's per-counterparty lookup goes by step 11's index; on both
    engines a signed mandate it finds still refuses the line with the conflict's reason."""
    from mandates_store.bulk.create import _Importer
    from mandates_store.mandates import prepare_create

    fill_world(store)
    signed = active_mandate(store, ORG_A, ORG_B)
    db = store.db
    context = prepare_create(db, admin(ORG_A), "giver", ["WSE Loket"], store.today())
    sql, params = _Importer(db, context, 0, clock()).chunk_query(json.dumps([ORG_B, ORG_C]))
    if db.engine == "sqlite":
        plan = " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert f"SEARCH m USING COVERING INDEX {SIGNED_INDEX}" in plan, plan
    report = store.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=[ORG_B], accept_contract=True)
    ((line, reason),) = [(r.line_no, r.reason) for r in report.refused]
    assert line == 1 and str(signed.id) in reason


def test_bench_engines_reuse_migrates_a_kept_sqlite_store_of_step_10_once(tmp_path, clock, capsys):
    """bench/engines.py --reuse migrates the kept SQLite file itself, not each measuring copy."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import engines  # bench/engines.py

    path = str(tmp_path / "kept.db")
    with Store(path, now=clock) as store:
        fill_world(store)
        signed = active_mandate(store, ORG_A, ORG_B)
        back_to_step_11(store)
        store.db.execute(f"DROP INDEX {SIGNED_INDEX}")
        store.db.execute("PRAGMA user_version = 10")
    engines.migrate_kept(path)
    assert "migrated from schema step 10 to 12" in capsys.readouterr().out
    engines.migrate_kept(path)  # up to date: nothing to do
    assert "migrated" not in capsys.readouterr().out
    with Store(path, now=clock) as store:
        assert signed_in_index(store, ORG_A) == [signed.id]
