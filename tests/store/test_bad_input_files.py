"""Bad files and mistyped paths (issue: rough edges): each gets a precise message (file, line,
field, reason) in the user's language and leaves the store as it was."""

import json
from datetime import date

import pytest
from click.testing import CliRunner

from mandates_store import FileFormatError, Store, StoreError
from mandates_store.cli import DEFAULT_DB
from mandates_store.cli import store as store_cli
from mandates_store.clock import TEST_CLOCK_SWITCH
from mandates_store.demo_data import BAROCY

TODAY = date(2025, 3, 10)
TEST_CLOCK = {TEST_CLOCK_SWITCH: "1"}  # --today is refused without it


def cli(path, *args, lang="nl"):
    return CliRunner().invoke(
        store_cli, ["--db", str(path), "--lang", lang, "--today", TODAY.isoformat(), *args], env=TEST_CLOCK
    )


@pytest.fixture
def demo_db(store_location):
    path = store_location
    assert cli(path, "init").exit_code == 0 and cli(path, "demo").exit_code == 0
    return path


def counts(path) -> tuple[int, int]:
    with Store(path) as store:
        return tuple(
            store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("mandates", "bulk_operations")
        )


def bulk_create(path, csv_file, lang="nl"):
    return cli(
        path, "bulk", "create", str(csv_file), "--admin", "beheer", "--for", BAROCY, "--role", "taker",
        "--type", "Test Uniek", "--accept", lang=lang,
    )  # fmt: skip


# 5. a byte that is neither UTF-8 nor Windows-1252 (0x81 is undefined in Windows-1252)
def test_a_bulk_csv_with_an_unreadable_byte_names_its_line_and_column(demo_db, tmp_path):
    csv_file = tmp_path / "bulk.csv"
    csv_file.write_bytes(b"0400378485;;;nl;M1\n0402206045;;;nl;M\x812\n")
    before = counts(demo_db)
    result = bulk_create(demo_db, csv_file)
    assert result.exit_code == 1
    assert f"{csv_file}, lijn 2: byte 0x81 op kolom 18 is geen UTF-8 en geen Windows-1252" in result.output
    assert "Traceback" not in result.output and "codec" not in result.output
    assert counts(demo_db) == before  # no mandate, no operation recorded
    english = bulk_create(demo_db, csv_file, lang="en")
    assert f"{csv_file}, line 2: byte 0x81 at column 18 is neither UTF-8 nor Windows-1252" in english.output


def test_a_load_file_with_an_unreadable_byte_names_its_line_and_column(tmp_path, store_location):
    path = tmp_path / "parties.csv"
    path.write_bytes(b"number;name\n0411515075;Emma\xc3\xbcs\n0806154033;BARO\x81CY\n")
    with Store(store_location) as store, pytest.raises(FileFormatError) as caught:
        store.load("parties", path)
    assert (caught.value.line, str(caught.value)) == (3, f"{path}, line 3: " + caught.value.reason)
    assert "byte 0x81 at column 16" in caught.value.reason
    with Store(store_location) as store:
        assert store.db.execute("SELECT count(*) FROM parties").fetchone()[0] == 0


def test_windows_1252_is_still_read(demo_db, tmp_path):
    csv_file = tmp_path / "bulk.csv"
    csv_file.write_bytes("0400378485;;;nl;Référence\n".encode("cp1252"))
    result = bulk_create(demo_db, csv_file)
    assert result.exit_code == 0, result.output


# 6. an empty bulk file did nothing and was reported "Geslaagd"
@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_bulk_file_is_refused_and_not_recorded(demo_db, tmp_path, content):
    csv_file = tmp_path / "empty.csv"
    csv_file.write_bytes(content)
    before = counts(demo_db)
    result = bulk_create(demo_db, csv_file)
    assert result.exit_code == 1 and "Geslaagd" not in result.output
    assert "het bestand bevat geen mandaatlijnen" in result.output
    assert counts(demo_db) == before


def test_an_empty_list_of_lines_is_refused_by_the_store(tmp_path, store_location):
    with Store(store_location) as store:
        from mandates_store import Actor
        from mandates_store.demo_data import load_demo

        load_demo(store, TODAY)
        with pytest.raises(StoreError, match="no mandate lines"):
            store.bulk_create(Actor.admin(BAROCY), role="taker", types=["Test Uniek"], lines=[], accept_contract=True)


# 7. an unknown key in a mandate-types file was ignored and a type stored with no name or contract
def test_an_unknown_key_in_a_types_file_is_refused_with_did_you_mean(tmp_path, store_location):
    path = tmp_path / "types.json"
    path.write_text(json.dumps([{"code": "X", "nmes": {"nl": "X"}, "contracts": {"nl": "…"},
                                 "combinations": ["person>person"]}]))  # fmt: skip
    with Store(store_location) as store:
        with pytest.raises(FileFormatError) as caught:
            store.load("types", path)
        assert (caught.value.line, caught.value.field) == (1, "nmes")
        assert "unknown key (did you mean 'names'?)" in str(caught.value)
        assert store.mandate_type("X") is None


def test_a_type_without_name_or_contract_text_is_refused(tmp_path, store_location):
    with Store(store_location) as store:
        for record, field in (
            ({"code": "X", "contracts": {"nl": "…"}, "combinations": ["person>person"]}, "name_nl"),
            ({"code": "X", "names": {"nl": "X"}, "combinations": ["person>person"]}, "contract_nl"),
        ):
            path = tmp_path / "types.json"
            path.write_text(json.dumps([record]))
            with pytest.raises(FileFormatError) as caught:
                store.load("types", path)
            assert caught.value.field == field and "required" in str(caught.value)
        assert store.mandate_type("X") is None


def test_an_unknown_csv_column_is_refused(tmp_path, store_location):
    path = tmp_path / "work.csv"
    path.write_text("person;organisation;valid_form\n88012226557;0806154033;2020-01-01\n")
    with Store(store_location) as store, pytest.raises(FileFormatError) as caught:
        store.load("work-relationships", path)
    assert (caught.value.line, caught.value.field) == (1, "valid_form")
    assert "did you mean 'valid_from'?" in str(caught.value)


# 8. a mistyped --db created a new empty store; a file that is no database gave a traceback
def test_a_mistyped_store_path_is_refused_and_nothing_is_created(demo_db, tmp_path):
    mistyped = tmp_path / "stroe.db"
    for args in (("search", "--party", BAROCY), ("show", "1"), ("bulk", "list")):
        result = cli(mistyped, *args)
        assert result.exit_code == 1 and "geen store op deze plaats" in result.output, args
        assert "0 result" not in result.output
    assert not mistyped.exists()
    assert cli(demo_db, "search", "--party", BAROCY).exit_code == 0


def test_a_file_that_is_no_database_gives_one_line(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("this is not a database, but quite long enough to look like a header of one\n" * 20)
    result = cli(text, "search", "--party", BAROCY, lang="en")
    assert result.exit_code == 1 and "not a mandates store" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = cli(empty, "bulk", "list")
    assert result.exit_code == 1 and "geen mandatenstore" in result.output
    assert empty.read_bytes() == b""  # left as it was


def test_only_init_creates_a_store_and_the_default_is_the_brokers(tmp_path, monkeypatch):
    assert DEFAULT_DB == "var/store.db"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(store_cli, ["init"])
    assert result.exit_code == 0 and (tmp_path / "var" / "store.db").exists()
    assert not (tmp_path / "mandates.db").exists()
