"""bench/engines.py's fast PostgreSQL loader (bench/pg_load.py), kept honest at a tiny scale: the
COPY-loaded store equals the generator's SQLite store by `broker store copy`'s checksums, and the
store's rules hold on it, because the loader put them back (and a row breaking one is refused)."""

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import pg_load  # noqa: E402
import store_data  # noqa: E402
from store import SCOPE  # noqa: E402 - bench/store.py's login scope, as the benchmark asks

from mandates_store import Store  # noqa: E402
from mandates_store.engines.copy_postgresql import PostgresSide  # noqa: E402
from mandates_store.engines.copy_sqlite import SqliteSide  # noqa: E402
from mandates_store.engines.postgresql_schema import schema_version  # noqa: E402
from mandates_store.schema import SCHEMA_VERSION  # noqa: E402

SIZES = {"persons": 300, "organisations": 400, "mandates": 3000, "seed": 4}
TODAY = date(2025, 3, 10)


def quiet(_line: str) -> None:
    pass


@pytest.fixture
def loaded(postgres_url) -> str:
    facts = pg_load.load(postgres_url, **SIZES, today=TODAY, log=quiet)
    assert set(facts["phases"]) >= {"COPY mandates", "conflict rule added and checked", "VACUUM ANALYZE"}
    return postgres_url


def test_the_copy_loaded_store_equals_the_generated_sqlite_store_table_by_table(loaded, tmp_path):
    path = str(tmp_path / "store.db")
    store_data.generate(path, **SIZES, today=TODAY, log=quiet)
    source, target = SqliteSide(path, create=False), PostgresSide(loaded, create=False)
    try:
        ours = pg_load.table_checksums(source, source.columns)
        theirs = pg_load.table_checksums(target, source.columns)
    finally:
        source.close(), target.close()
    assert ours["mandates"][0] > 2000 and ours["mandate_events"][0] == ours["mandates"][0]
    assert ours == theirs


def test_the_loaded_store_is_at_the_real_version_and_answers_logins(loaded):
    with Store(loaded) as store:
        assert schema_version(store.db) == SCHEMA_VERSION
        executor = store_data.person_numbers(1)[0]
        options = store.login_options(person=executor, at=date.today(), scope=SCOPE)
        # the big firm's givers: every other organisation, as on SQLite
        assert sum(1 for option in options if option.kind == "mandate") == SIZES["organisations"] - 1


def signed_mandate(conn) -> tuple:
    return conn.execute(
        "SELECT type_code, giver, taker, signer, start_date, created_at, changed_at FROM mandates "
        "WHERE state = 'signed' AND end_date IS NULL ORDER BY id LIMIT 1"
    ).fetchone()


def test_the_rules_hold_on_the_loaded_store(loaded):
    insert = (
        "INSERT INTO mandates (type_code, giver, giver_name, taker, state, signer, start_date, created_at, "
        "signed_at, changed_by, changed_at, language) VALUES (%s, %s, (SELECT name FROM parties WHERE number = %s), "
        "%s, 'signed', %s, %s, %s, %s, 'giver', %s, 'nl')"
    )
    with psycopg.connect(loaded, autocommit=True) as conn:
        kind, giver, taker, signer, start, created, changed = signed_mandate(conn)
        with pytest.raises(psycopg.errors.ExclusionViolation, match="mandates_one_active"):
            conn.execute(insert, [kind, giver, giver, taker, signer, start, created, created, changed])
        with pytest.raises(psycopg.errors.ForeignKeyViolation, match="mandate_events_mandate_id_fkey"):
            conn.execute(
                "INSERT INTO mandate_events (mandate_id, at, event, role) VALUES (1, %s, 'created', 'giver')", [created]
            )
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="combination not allowed"):
            conn.execute(insert, ["Kiosk", giver, giver, taker, taker, start, created, created, changed])
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
            conn.execute("UPDATE mandate_events SET event = 'changed' WHERE id = 1")
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
            conn.execute("DELETE FROM mandate_events WHERE id = 1")
        assert conn.execute("SELECT count(*) FROM mandate_events WHERE id = 1 AND event = 'created'").fetchone() == (1,)


def test_a_generated_row_breaking_the_conflict_rule_fails_the_load(postgres_url, monkeypatch):
    def with_a_second_signing(**arguments):
        for part in store_data.tables(**arguments):
            if part.table == "mandates":
                rows, at = list(part.rows), part.columns.index
                first = next(row for row in rows if row[at("state")] == "signed" and row[at("end_date")] is None)
                part = replace(part, rows=[*rows, (rows[-1][0] + 1, *first[1:])])
            yield part

    monkeypatch.setattr(pg_load, "tables", with_a_second_signing)
    with pytest.raises(psycopg.errors.ExclusionViolation, match="mandates_one_active"):
        pg_load.load(postgres_url, **SIZES, today=TODAY, log=quiet)
