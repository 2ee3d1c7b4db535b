"""`broker store copy --from LOCATION --to LOCATION` (README "Beyond one machine"): every table
into an empty store, checked by row counts and a checksum per table; a non-empty target, a missing
source and a check that fails are refused, and the target is left as it was."""

import sqlite3

import psycopg
import pytest
from click.testing import CliRunner

from mandates_store import Store
from mandates_store.cli import store as store_cli
from mandates_store.clock import TEST_CLOCK_SWITCH
from mandates_store.copying import TABLES
from mandates_store.demo_data import BAROCY
from mandates_store.schema import FIRST_MANDATE_ID

TABLE_NAMES = [table for table, _ in TABLES]


def cli(*args: str, lang: str = "en"):
    return CliRunner().invoke(store_cli, ["--lang", lang, *args], env={TEST_CLOCK_SWITCH: "1"})


@pytest.fixture
def source(tmp_path):
    """The demo store with a grouped action (so every table has rows but one) and a transfer."""
    path = str(tmp_path / "source.db")
    assert cli("--db", path, "init").exit_code == 0
    assert cli("--db", path, "--today", "2025-03-10", "demo").exit_code == 0
    lines = tmp_path / "bulk.csv"
    lines.write_text("0400378485;a@b.be;;nl;M1\n0402206045;;;nl;M2;20000101\n")
    bulk = ["bulk", "create", str(lines), "--admin", "beheer", "--for", BAROCY, "--role", "taker"]
    assert cli("--db", path, "--today", "2025-03-10", *bulk, "--type", "Test Uniek", "--accept").exit_code == 2
    return path


def contents(location: str) -> dict[str, list[tuple]]:
    with Store(location) as store:
        return {
            table: sorted(store.db.conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)  # noqa: S608
            for table in TABLE_NAMES
        }


def test_the_copy_knows_every_table_of_either_engine(postgres_url):
    with Store(":memory:") as store:
        assert sorted(store.db.utils.table_names()) == sorted([*TABLE_NAMES, "sqlite_sequence"])
    Store(postgres_url).shutdown()
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        assert sorted(name for (name,) in tables) == sorted([*TABLE_NAMES, "schema_version"])


def test_sqlite_to_sqlite_copies_every_row_and_prints_matching_checks(source, tmp_path):
    target = str(tmp_path / "sub" / "target.db")
    result = cli("copy", "--from", source, "--to", target, "--batch", "3")
    assert result.exit_code == 0, result.output
    assert contents(target) == contents(source)
    assert (
        sum(1 for rows in contents(source).values() if rows) == len(TABLES) - 2
    )  # only user_right_givers, idm_events empty
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()[1:-1]}
    assert sorted(lines) == sorted(TABLE_NAMES)
    for table, (_, rows_from, rows_to, sum_from, sum_to, verdict) in lines.items():
        assert (rows_from, sum_from, verdict) == (rows_to, sum_to, "ok"), table
    assert lines["mandates"][1] == str(len(contents(source)["mandates"]))
    assert result.output.splitlines()[-1].startswith(
        f"{len(TABLES)} tables, {sum(map(len, contents(source).values()))} rows"
    )
    # the next mandate gets the id the source would have given, not a reused one
    counters = []
    for location in (source, target):
        with Store(location) as store:
            counters.append(store.db.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'mandates'").fetchone())
    assert counters[0] == counters[1] == (int(lines["mandates"][1]) + FIRST_MANDATE_ID - 1,)


def test_a_target_with_rows_is_refused_and_left_alone(source, tmp_path):
    target = str(tmp_path / "target.db")
    assert cli("--db", target, "init").exit_code == 0
    assert cli("--db", target, "--today", "2025-03-10", "demo").exit_code == 0
    before = contents(target)
    result = cli("copy", "--from", source, "--to", target)
    assert result.exit_code == 1
    parties = len(before["parties"])
    assert f"Error: {target}: the target store is not empty (rows: parties {parties}, mandate_types 4," in result.output
    assert "copy only into a new, empty store" in result.output
    assert contents(target) == before
    dutch = cli("copy", "--from", source, "--to", target, lang="nl")
    assert f"{target}: de doelstore is niet leeg (rijen: parties {parties}," in dutch.output


def test_a_missing_source_is_refused_and_not_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    result = cli("copy", "--from", str(missing), "--to", str(tmp_path / "target.db"))
    assert result.exit_code == 1
    assert f"{missing}: no store there" in result.output
    assert not missing.exists() and not (tmp_path / "target.db").exists()


def test_one_store_onto_itself_is_refused(source):
    result = cli("copy", "--from", source, "--to", source)
    assert result.exit_code == 1 and "--from and --to are one store" in result.output


def test_a_table_whose_rows_change_on_the_way_fails_its_check_and_the_target_stays_empty(source, tmp_path):
    target = str(tmp_path / "target.db")
    Store(target).shutdown()
    with sqlite3.connect(target) as conn:  # something on the target that alters what lands
        conn.execute(
            "CREATE TRIGGER tamper AFTER INSERT ON parties WHEN NEW.city = 'Mechelen' "
            "BEGIN UPDATE parties SET city = 'Malines' WHERE number = NEW.number; END"
        )
    result = cli("copy", "--from", source, "--to", target)
    assert result.exit_code == 1
    assert "check failed for table parties: the target was rolled back and left empty" in result.output
    verdicts = {line.split()[0]: line.split()[-1] for line in result.output.splitlines()[1:-1]}
    assert verdicts["parties"] == "DIFFERS"
    assert {verdict for table, verdict in verdicts.items() if table != "parties"} == {"ok"}
    assert all(not rows for rows in contents(target).values())


def test_a_row_the_target_refuses_names_its_table(source, tmp_path):
    target = str(tmp_path / "target.db")
    Store(target).shutdown()
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TRIGGER picky BEFORE INSERT ON work_relationships BEGIN SELECT RAISE(ABORT, 'no'); END")
    result = cli("copy", "--from", source, "--to", target)
    assert result.exit_code == 1
    assert "Error: table work_relationships: the target refused the batch from its row 1 on: no" in result.output
    assert all(not rows for rows in contents(target).values())


def _checks(output: str) -> dict[str, tuple[str, ...]]:
    return {line.split()[0]: tuple(line.split()[1:]) for line in output.splitlines()[1:-1]}


def test_sqlite_to_postgresql_and_back_keeps_every_row_and_every_checksum(source, postgres_url, tmp_path):
    there = cli("copy", "--from", source, "--to", postgres_url, "--batch", "4")
    assert there.exit_code == 0, there.output
    back_path = str(tmp_path / "back.db")
    back = cli("copy", "--from", postgres_url, "--to", back_path)
    assert back.exit_code == 0, back.output
    assert contents(back_path) == contents(source)
    assert _checks(there.output) == _checks(back.output)  # one checksum per table on all three stores
    assert {checks[-1] for checks in _checks(there.output).values()} == {"ok"}
    # both go on numbering mandates after the copied ones
    with Store(postgres_url) as there_store, Store(back_path) as back_store:
        for store in (there_store, back_store):
            assert (
                store.db.reserve_ids("mandates", 1)[0] == int(_checks(there.output)["mandates"][0]) + FIRST_MANDATE_ID
            )


def test_a_postgresql_target_with_rows_is_refused(source, postgres_url):
    assert cli("copy", "--from", source, "--to", postgres_url).exit_code == 0
    again = cli("copy", "--from", source, "--to", postgres_url)
    assert again.exit_code == 1
    parties = len(contents(source)["parties"])
    assert f"Error: {postgres_url}: the target store is not empty (rows: parties {parties}," in again.output


def test_a_postgresql_database_without_a_store_is_no_source(postgres_url, tmp_path):
    result = cli("copy", "--from", postgres_url, "--to", str(tmp_path / "target.db"))
    assert result.exit_code == 1
    assert f"{postgres_url}: no mandates store in this database" in result.output
    assert not (tmp_path / "target.db").exists()


def test_a_row_postgresql_refuses_names_its_table_and_leaves_it_empty(source, postgres_url):
    Store(postgres_url).shutdown()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE legal_representatives ADD CONSTRAINT picky CHECK (function <> 'Bestuurder')")
    result = cli("copy", "--from", source, "--to", postgres_url)
    assert result.exit_code == 1
    assert "Error: table legal_representatives: the target refused the batch from its row 1 on:" in result.output
    assert 'violates check constraint "picky"' in result.output
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM parties").fetchone()[0] == 0
