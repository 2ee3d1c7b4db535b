import sqlite3

import pytest

from mandates_store import SCHEMA_VERSION, Store
from tests.store.conftest import GIVER_NAME_OF, ORG_A, ORG_B, active_mandate


def test_new_file_is_migrated_to_the_current_version_in_wal_with_foreign_keys(tmp_path):
    store = Store(tmp_path / "new.db")
    conn = store.db.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    path = tmp_path / "again.db"
    with Store(path) as first:
        first.put_party(ORG_A, "Emmaüs")
    with Store(path) as second:
        assert second.party(ORG_A).name == "Emmaüs"
        assert second.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store(path)


def test_first_mandate_id_follows_the_seeds_numbering(world):
    mandate = active_mandate(world, ORG_A, ORG_B)
    assert mandate.id == 5710246


def test_raw_sql_cannot_insert_a_second_active_mandate(world):
    first = active_mandate(world, ORG_A, ORG_B)
    with pytest.raises(world.db.IntegrityError, match="conflict"):
        world.db.execute(
            "INSERT INTO mandates (type_code, giver, giver_name, taker, state, signer, start_date, language, "
            f"created_at, changed_by, changed_at) VALUES ('WSE Loket', ?, {GIVER_NAME_OF}, ?, 'signed', ?, ?, 'nl', "
            "'x', 'giver', 'x')",
            [ORG_A, ORG_A, ORG_B, ORG_B, first.start_date.isoformat()],
        )


def test_raw_sql_cannot_make_a_party_its_own_taker_or_use_a_forbidden_combination(world):
    sql = (
        "INSERT INTO mandates (type_code, giver, giver_name, taker, state, signer, start_date, language, "
        f"created_at, changed_by, changed_at) VALUES (?, ?, {GIVER_NAME_OF}, ?, 'awaiting', ?, '2030-01-01', "
        "'nl', 'x', 'giver', 'x')"
    )
    with pytest.raises(world.db.IntegrityError):
        world.db.execute(sql, ["WSE Loket", ORG_A, ORG_A, ORG_A, ORG_A])
    with pytest.raises(world.db.IntegrityError, match="combination"):
        world.db.execute(sql, ["Kiosk", ORG_A, ORG_A, ORG_B, ORG_B])


def test_history_is_append_only(world):
    mandate = active_mandate(world, ORG_A, ORG_B)
    with pytest.raises(world.db.IntegrityError, match="append-only"):
        world.db.execute("DELETE FROM mandate_events WHERE mandate_id = ?", [mandate.id])
    with pytest.raises(world.db.IntegrityError, match="append-only"):
        world.db.execute("UPDATE mandate_events SET event = 'x'")


def test_foreign_keys_refuse_an_unknown_party(world):
    with pytest.raises(world.db.IntegrityError):
        world.db.execute(
            "INSERT INTO work_relationships (person, organisation, valid_from) VALUES ('99999999999', ?, '2020-01-01')",
            [ORG_A],
        )


def test_an_old_version_1_store_is_migrated_keeping_its_data(tmp_path):
    import sqlite_utils

    from mandates_store.engines.sqlite_schema import MIGRATIONS

    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    old = sqlite_utils.Database(conn)
    MIGRATIONS[0](old)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO parties (number, kind, name) VALUES (?, 'organisation', 'Emmaüs')", [ORG_A])
    conn.close()
    with Store(path) as store:
        assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 12
        assert store.party(ORG_A).name == "Emmaüs"
        assert "bulk_line_mandates" in store.db.utils.table_names()
        assert "idm_events" in store.db.utils.table_names()
        columns = [r[2] for r in store.db.conn.execute("PRAGMA index_info(mandates_by_taker)")]
        assert columns == [
            *("taker", "type_code", "state", "start_date", "end_date", "giver", "changed_by", "changed_at"),
            "giver_name",
        ]


def test_version_4_bulk_reports_survive_the_move_to_without_rowid_tables(tmp_path):
    import sqlite_utils

    from mandates_store.engines.sqlite_schema import MIGRATIONS

    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    old = sqlite_utils.Database(conn)
    for migration in MIGRATIONS[:4]:
        migration(old)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO parties (number, kind, name) VALUES (?, 'organisation', 'Emmaüs')", [ORG_A])
    conn.execute(
        "INSERT INTO bulk_operations (kind, started_at, person, party, status, "
        "lines_total, lines_ok, lines_failed) VALUES ('create', '2025-03-10T10:00:00', "
        "'tester', ?, 'Fout', 1, 0, 1)",
        [ORG_A],
    )
    conn.execute(
        "INSERT INTO bulk_lines (operation_id, line_no, input, ok, reason) "
        "VALUES (1, 1, '0400048884', 0, 'controlegetal')"
    )
    conn.close()
    with Store(path) as store:
        report = store.bulk_report(1)
        assert [(line.line_no, line.input, line.reason) for line in report.lines] == [
            (1, "0400048884", "controlegetal")
        ]
        assert report.status == "Fout" and report.operation.last_line is None
        conn = store.db.conn
        for table in ("bulk_lines", "bulk_line_mandates"):
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
            assert sql[0].rstrip().endswith("WITHOUT ROWID")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_postgresql_keeps_the_version_in_a_table_and_refuses_a_newer_schema(postgres_url):
    from mandates_store.engines import postgresql_schema, sqlite_schema

    assert len(postgresql_schema.MIGRATIONS) == len(sqlite_schema.MIGRATIONS) == SCHEMA_VERSION
    with Store(postgres_url) as first:
        first.put_party(ORG_A, "Emmaüs")
        assert first.db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    with Store(postgres_url) as second:  # reopened: the data stays, nothing migrates twice
        assert second.party(ORG_A).name == "Emmaüs"
        assert second.db.schema_version() == SCHEMA_VERSION
        second.db.execute("UPDATE schema_version SET version = ?", [SCHEMA_VERSION + 1])
    with pytest.raises(RuntimeError, match="newer"):
        Store(postgres_url)


def test_postgresql_steps_one_to_five_then_six_give_the_schema_a_new_database_has(postgres_server):
    import psycopg

    from mandates_store.engines import postgresql_schema

    def schema(url):
        with psycopg.connect(url) as conn:
            return conn.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY table_name, column_name"
            ).fetchall(), conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"
            ).fetchall()

    new, old = postgres_server.create_database(), postgres_server.create_database()
    Store(new).shutdown()
    real = postgresql_schema.SCHEMA_VERSION
    try:
        postgresql_schema.SCHEMA_VERSION = 5  # a store of the code before step 6
        postgresql_schema.MIGRATIONS, steps = postgresql_schema.MIGRATIONS[:5], postgresql_schema.MIGRATIONS
        Store(old).shutdown()
    finally:
        postgresql_schema.SCHEMA_VERSION, postgresql_schema.MIGRATIONS = real, steps
    with Store(old) as upgraded:
        assert upgraded.db.schema_version() == SCHEMA_VERSION
    assert schema(old) == schema(new)


def test_on_postgresql_the_mandate_lookups_read_no_table_row(postgres_url, clock):
    """A PostgreSQL index does not carry the row's id as SQLite's does (the rowid): the login's
    lookup of a taker's mandates and the bulk import's of a giver's must find it in the index."""
    from mandates_store.demo_data import BAROCY, PERSON_EXECUTOR, load_demo

    with Store(postgres_url, now=clock) as store:
        load_demo(store, clock().date())
        db = store.db
        db.execute("VACUUM ANALYZE")  # what autovacuum does: the pages all-visible, for index-only scans
        db.execute("SET enable_seqscan = off")  # a demo's tables are a page each
        db.execute("SET enable_bitmapscan = off")
        day = clock().date().isoformat()
        active = "m.state = 'signed' AND m.start_date <= ? AND (m.end_date IS NULL OR m.end_date > ?)"
        lookups = {
            "mandates_by_taker": (f"m.taker = ? AND m.type_code = ? AND {active}", [BAROCY, "WSE Loket", day, day]),
            "mandates_by_giver": (
                "m.giver = ? AND m.taker IN (?, ?) AND m.type_code = ? AND m.state = 'signed'",
                [BAROCY, PERSON_EXECUTOR, ORG_A, "WSE Loket"],
            ),
        }
        for index, (where, params) in lookups.items():
            plan = "\n".join(
                row[0]
                for row in db.execute(
                    f"EXPLAIN SELECT m.id, m.type_code, m.start_date, m.end_date, m.giver, m.taker FROM mandates m "
                    f"WHERE {where}",
                    params,
                )
            )
            assert f"Index Only Scan using {index}" in plan, plan
