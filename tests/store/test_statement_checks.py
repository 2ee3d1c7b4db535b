"""Store step 10: on PostgreSQL a statement that inserts many mandates (a bulk chunk) has their
giver/taker combinations checked once, over the statement's rows, instead of by two party
lookups per row; the rule holds as before, on both engines. A step-9 store migrates to the
rules a new store has."""

import sys
from pathlib import Path

import psycopg
import pytest

from mandates_store import Store
from mandates_store.schema import SCHEMA_VERSION
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, Clock, fill_world

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import engines  # noqa: E402 - bench/engines.py, whose --reuse migrates a kept store
import pg_load  # noqa: E402 - the loader's catalog: every key, index, exclusion and trigger

INSERT = (
    "INSERT INTO mandates (type_code, giver, giver_name, taker, state, signer, start_date, language, created_at, "
    "changed_by, changed_at) VALUES (?, ?, ?, ?, 'awaiting', ?, '2025-03-10', 'nl', 'x', 'giver', 'x')"
)
STEP_9_INSERT = INSERT.replace("giver_name, ", "").replace("?, ?, ?, ?, 'awaiting'", "?, ?, ?, 'awaiting'")
ROWS = [("WSE Loket", ORG_A, ORG_B, ORG_B), ("WSE Loket", ORG_A, ORG_C, ORG_C), ("Kiosk", ORG_A, PERSON_P, PERSON_P)]
NAMES = {ORG_A: "Emmaüs"}  # fill_world's


def named(row: tuple) -> tuple:
    """A row of INSERT's parameters: with the giver's name (store step 12)."""
    return (row[0], row[1], NAMES[row[1]], *row[2:])


GOOD = [named(row) for row in ROWS]


def mandates(store: Store) -> int:
    return store.db.execute("SELECT count(*) FROM mandates").fetchone()[0]


def test_a_statement_with_one_bad_combination_is_refused_whole(world):
    before = mandates(world)
    bad = named(("Kiosk", ORG_A, ORG_C, ORG_C))  # Kiosk: organisation to person only
    with pytest.raises(world.db.IntegrityError, match="combination not allowed"):
        with world.db.transaction():
            world.db.executemany(INSERT, [*GOOD[:2], bad, GOOD[2]])
    assert mandates(world) == before
    with world.db.transaction():
        world.db.executemany(INSERT, GOOD)
    assert mandates(world) == before + 3


def test_a_signer_who_is_neither_side_is_refused(world):
    """On PostgreSQL step 10 drops the signer's foreign key: the CHECK that the signer is the giver
    or the taker, with their keys, already makes the signer a party."""
    with pytest.raises(world.db.IntegrityError):
        world.db.execute(INSERT, named(("WSE Loket", ORG_A, ORG_B, ORG_C)))
    with pytest.raises(world.db.IntegrityError):
        world.db.execute(INSERT, named(("WSE Loket", ORG_A, ORG_B, "0999999999")))
    assert mandates(world) == 0


def test_on_postgresql_a_statement_s_combinations_are_checked_once(postgres_url):
    with Store(postgres_url, now=Clock()) as store:
        fill_world(store)
        db = store.db
        db.execute("SET track_functions = 'all'")
        with db.transaction():
            db.executemany(INSERT, GOOD)  # one statement over arrays (engines/postgresql_batch.py)
            calls = db.execute(
                "SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE funcname LIKE 'store_check%'"
            ).fetchall()
        assert sorted(calls) == [("store_check_combinations", 1), ("store_check_giver_names", 1)]


def test_a_postgresql_store_of_step_9_gets_the_rules_of_a_new_store(postgres_server, capsys):
    """As bench/engines.py --reuse migrates a store an older run kept."""
    from mandates_store.engines import postgresql_schema

    new, old = postgres_server.create_database(), postgres_server.create_database()
    Store(new).shutdown()
    real, steps = postgresql_schema.SCHEMA_VERSION, postgresql_schema.MIGRATIONS
    try:
        postgresql_schema.SCHEMA_VERSION, postgresql_schema.MIGRATIONS = 9, steps[:9]
        with Store(old, now=Clock()) as before:
            fill_world(before)
            with before.db.transaction():
                before.db.executemany(STEP_9_INSERT, ROWS)
    finally:
        postgresql_schema.SCHEMA_VERSION, postgresql_schema.MIGRATIONS = real, steps
    engines.migrate_kept(old)
    assert "migrated from schema step 9 to 12" in capsys.readouterr().out
    with Store(old) as upgraded:
        assert upgraded.db.schema_version() == SCHEMA_VERSION == 12
        assert mandates(upgraded) == 3
        names = upgraded.db.execute("SELECT DISTINCT giver_name FROM mandates").fetchall()
        assert names == [(upgraded.party(ORG_A).name,)]
    with psycopg.connect(new) as fresh, psycopg.connect(old) as migrated:
        assert pg_load.catalog(migrated) == pg_load.catalog(fresh)
