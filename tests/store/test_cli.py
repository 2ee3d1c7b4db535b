from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from mandates_store import Store
from mandates_store.cli import store as store_cli
from mandates_store.clock import TEST_CLOCK_SWITCH
from mandates_store.demo_data import BAROCY, EMMAUS, PERSON_EXECUTOR, PERSON_MANAGER
from mandates_store.schema import SCHEMA_VERSION

TODAY = date(2025, 3, 10)
TEST_CLOCK = {TEST_CLOCK_SWITCH: "1"}  # --today is refused without it


@pytest.fixture
def run(store_location):
    path = store_location

    def invoke(*args: str, lang: str = "nl"):
        return CliRunner().invoke(
            store_cli, ["--db", str(path), "--lang", lang, "--today", TODAY.isoformat(), *args], env=TEST_CLOCK
        )

    invoke.path = path
    return invoke


@pytest.fixture
def demo_run(run):
    assert run("init").exit_code == 0
    assert run("demo").exit_code == 0
    return run


def test_init_reports_the_schema_version(run):
    result = run("init")
    assert result.exit_code == 0 and "schema version" in result.output


def test_broker_command_line_has_the_store_group():
    from broker.cli import main

    result = CliRunner().invoke(main, ["store", "--help"])
    assert result.exit_code == 0 and "bulk" in result.output


def test_demo_refuses_a_filled_store(demo_run):
    result = demo_run("demo")
    assert result.exit_code == 1 and "not empty" in result.output


def test_load_files_and_refuse_a_bad_one(run, tmp_path):
    assert run("init").exit_code == 0
    good = tmp_path / "parties.csv"
    good.write_text("number;name\n0411515075;Emmaüs\n", encoding="utf-8")
    result = run("load", "parties", str(good))
    assert result.exit_code == 0 and "1 parties loaded" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("number;name\n0411515076;X\n", encoding="utf-8")
    result = run("load", "parties", str(bad), lang="en")
    assert result.exit_code == 1
    assert "bad.csv, line 2, field number" in result.output and "0411515076" in result.output


def test_create_sign_stop_transfer_show(demo_run):
    created = demo_run(
        "create",
        "--as",
        PERSON_MANAGER,
        "--for",
        EMMAUS,
        "--role",
        "giver",
        "--type",
        "Kiosk",
        "--counterparty",
        "79031510459",
        "--accept",
        "--reference",
        "CLI-1",
    )
    assert created.exit_code == 0, created.output
    mandate_id = created.output.split("\t")[0]
    assert "Wacht op ondertekening" in created.output
    signed = demo_run("sign", mandate_id, "--as", "79031510459", "--accept")
    assert signed.exit_code == 0 and "Actief" in signed.output
    moved = demo_run("transfer", mandate_id, "--as", PERSON_MANAGER, "--for", EMMAUS, "--to", PERSON_EXECUTOR)
    assert moved.exit_code == 0, moved.output
    stopped = demo_run("stop", mandate_id, "--as", "79031510459", "--reason", "klaar")
    assert stopped.exit_code == 0 and "Stopgezet" in stopped.output
    shown = demo_run("show", mandate_id)
    assert "Aangemaakt door Sofie Maes (Emmaüs)" in shown.output
    assert "Stopgezet door An Peeters: klaar" in shown.output


def test_refusals_are_one_message_and_exit_1(demo_run):
    past = (TODAY - timedelta(days=1)).isoformat()
    result = demo_run(
        "create",
        "--admin",
        "beheer",
        "--for",
        EMMAUS,
        "--role",
        "giver",
        "--type",
        "WSE Loket",
        "--counterparty",
        "0400048883",
        "--start",
        past,
        "--accept",
    )
    assert result.exit_code == 1
    assert "De begindatum moet groter of gelijk zijn aan de datum van vandaag." in result.output
    assert "Traceback" not in result.output
    conflict = demo_run(
        "create",
        "--admin",
        "beheer",
        "--for",
        EMMAUS,
        "--role",
        "giver",
        "--type",
        "WSE Loket",
        "--counterparty",
        BAROCY,
        "--accept",
    )
    assert conflict.exit_code == 1 and "Conflict" in conflict.output
    not_allowed = demo_run("stop", "5710247", "--as", PERSON_EXECUTOR, "--for", BAROCY)
    assert not_allowed.exit_code == 1 and "Mandaatbeheerder" in not_allowed.output
    assert demo_run("sign", "5710247").exit_code == 2  # usage: no actor given


def test_bulk_create_report_and_exit_codes(demo_run, tmp_path):
    csv_file = tmp_path / "bulk.csv"
    csv_file.write_text("0400378485;a@b.be;;nl;M1\n0402206045;;;nl;M2;20000101\n")
    result = demo_run(
        "bulk",
        "create",
        str(csv_file),
        "--admin",
        "beheer",
        "--for",
        BAROCY,
        "--role",
        "taker",
        "--type",
        "Test Uniek",
        "--accept",
    )
    assert result.exit_code == 2, result.output  # Gedeeltelijk succes
    assert "Status Gedeeltelijk succes" in result.output and "Lijn 2" in result.output
    listed = demo_run("bulk", "list", "--party", BAROCY)
    assert "Gegroepeerd aanmaken\tGedeeltelijk succes\t1/2" in listed.output
    operation_id = listed.output.split("\t")[0]
    assert "Mandaten aanmaken" in demo_run("bulk", "report", operation_id).output
    good = tmp_path / "good.csv"
    good.write_text("0425260668\n")
    ok = demo_run(
        "bulk",
        "create",
        str(good),
        "--admin",
        "beheer",
        "--for",
        BAROCY,
        "--role",
        "taker",
        "--type",
        "Test Uniek",
        "--accept",
    )
    assert ok.exit_code == 0 and "Status Geslaagd" in ok.output


def test_bulk_create_after_an_interruption_must_resume_or_say_again(demo_run, tmp_path):
    from mandates_store import Actor
    from mandates_store.bulk import file_sha256
    from tests.store.test_bulk_batched import interrupt

    csv_file = tmp_path / "bulk.csv"
    csv_file.write_text("0400378485;;;nl;M1\n0402206045;;;nl;M2\n")
    with Store(demo_run.path) as store:  # as if killed right after the file's first line
        first = store.bulk_create(
            Actor.admin(BAROCY, "beheer"),
            role="taker",
            types=["Test Uniek"],
            lines=["0400378485;;;nl;M1"],
            accept_contract=True,
        )
        operation = first.operation.id
        store.db.execute(
            "UPDATE bulk_operations SET source_sha256 = ? WHERE id = ?", [file_sha256(csv_file), operation]
        )
        interrupt(store, operation, 1)
    listed = demo_run("bulk", "list", "--party", BAROCY)
    assert f"{operation}\t" in listed.output and "Onderbroken\t1/1\ttot lijn 1" in listed.output
    args = ("--admin", "beheer", "--for", BAROCY, "--role", "taker", "--type", "Test Uniek", "--accept")
    rerun = demo_run("bulk", "create", str(csv_file), *args)
    assert rerun.exit_code == 1 and f"hervat ze met --resume {operation}" in rerun.output
    resumed = demo_run("bulk", "create", str(csv_file), *args, "--resume", str(operation))
    assert resumed.exit_code == 0 and "Status Geslaagd" in resumed.output, resumed.output
    assert "Aantal aangemaakte mandaten: 2" in resumed.output
    listed = demo_run("bulk", "list", "--party", BAROCY)
    assert f"{operation}\t" in listed.output and "Gegroepeerd aanmaken\tGeslaagd\t2/2" in listed.output
    again = demo_run("bulk", "create", str(csv_file), *args, "--again")  # a new operation
    assert again.exit_code == 0 and "Aantal aangemaakte mandaten: 2" in again.output


def test_bulk_stop_needs_the_count(demo_run):
    preview = demo_run(
        "bulk", "stop", "--as", PERSON_MANAGER, "--for", EMMAUS, "--role", "giver", "--type", "WSE Loket"
    )
    assert preview.exit_code == 1 and "confirm with --count 1" in preview.output
    wrong = demo_run(
        "bulk",
        "stop",
        "--as",
        PERSON_MANAGER,
        "--for",
        EMMAUS,
        "--role",
        "giver",
        "--type",
        "WSE Loket",
        "--count",
        "3",
    )
    assert wrong.exit_code == 1 and "komt niet overeen" in wrong.output
    done = demo_run(
        "bulk",
        "stop",
        "--as",
        PERSON_MANAGER,
        "--for",
        EMMAUS,
        "--role",
        "giver",
        "--type",
        "WSE Loket",
        "--count",
        "1",
        "--reason",
        "Einde",
    )
    assert done.exit_code == 0 and "Stopzetting mandaten" in done.output


def test_bulk_sign(demo_run):
    preview = demo_run("bulk", "sign", "--admin", "beheer", "--for", "0400048883")
    assert "confirm with --count 1" in preview.output
    done = demo_run("bulk", "sign", "--admin", "beheer", "--for", "0400048883", "--count", "1", "--accept")
    assert done.exit_code == 0 and "Ondertekening mandaten" in done.output


def test_search_and_export(demo_run, tmp_path):
    found = demo_run("search", "--party", BAROCY, "--role", "taker", "--status", "Actief", "--type", "WSE Loket")
    assert found.exit_code == 0 and "4 result(s)" in found.output
    by_name = demo_run("search", "--party", BAROCY, "--name", "PARK")
    assert "1 result(s)" in by_name.output
    target = tmp_path / "out.xlsx"
    exported = demo_run("search", "--party", BAROCY, "--export", str(target))
    assert exported.exit_code == 0 and target.exists() and "mandates written" in exported.output
    bad = demo_run("search", "--status", "kapot")
    assert bad.exit_code == 1 and "onbekende status" in bad.output


def test_options_for_support(demo_run):
    result = demo_run("options", "85072220893", "--type", "WSE Loket", "--work")
    assert result.exit_code == 0
    colruyt = [
        line for line in result.output.splitlines() if line.startswith("Etablissements Fr. Colruyt (0400378485)")
    ]
    assert colruyt == [
        "Etablissements Fr. Colruyt (0400378485): mandaat via DELOITTE Belastingconsulenten (0429053863)",
        "Etablissements Fr. Colruyt (0400378485): mandaat via PricewaterhouseCoopers Tax Consultants (0454658301)",
    ]
    assert "Jan Claes (85072220893): in eigen naam" in result.output
    nothing = demo_run("options", "91110332719", "--type", "WSE Loket", "--no-own-name")
    assert nothing.exit_code == 1 and "type_not_in_scope" in nothing.output


@pytest.mark.parametrize(
    "lang, expected, foreign",
    [
        (
            "nl",
            ["Je meldt aan in eigen naam.", "Een actief mandaat WSE Loket noemt BAROCY als mandaatnemer"],
            ["You ", "An active", "mandate via", "own name", "work relationship"],  # condition codes stay codes
        ),
        (
            "en",
            ["You log in in your own name.", "An active WSE Loket mandate names BAROCY as taker"],
            ["Je ", "Een actief", "mandaat via", "eigen naam", "werkrelatie", "medewerker"],
        ),
    ],
)
def test_options_speak_one_language_per_run(demo_run, lang, expected, foreign):
    # Lotte: own name, her firm, its givers; Els Wouters: nothing but explanations
    lotte = demo_run("options", PERSON_EXECUTOR, "--type", "WSE Loket", "--work", lang=lang)
    els = demo_run("options", "91110332719", "--type", "WSE Loket", "--no-own-name", lang=lang)
    assert lotte.exit_code == 0 and els.exit_code == 1
    text = lotte.output + els.output
    assert all(words in text for words in expected), text
    assert [words for words in foreign if words in text] == [], text


def test_store_file_is_usable_afterwards(demo_run):
    with Store(demo_run.path) as opened:
        assert opened.person(PERSON_EXECUTOR).name == "Lotte Verbeke"


def test_a_mandate_shows_its_last_valid_day_not_the_exclusive_end(demo_run):
    # the store keeps the end exclusive (the mandate is "Vervallen" on it); a person reads the last day
    created = demo_run(
        "create", "--as", PERSON_MANAGER, "--for", EMMAUS, "--role", "giver", "--type", "Kiosk",
        "--counterparty", "79031510459", "--start", "2025-03-10", "--end", "2025-12-01", "--accept",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "vanaf 10/03/2025 tot en met 30/11/2025" in created.output
    assert "01/12/2025" not in created.output


def test_migrate_brings_an_existing_store_up_to_date_on_either_engine(run):
    refused = run("--lang", "en", "migrate")  # nothing there yet: only init creates a store
    assert refused.exit_code == 1 and "init" in refused.output and "Traceback" not in refused.output
    assert run("init").exit_code == 0
    result = run("migrate")
    assert result.exit_code == 0 and f"{run.path}: schema version {SCHEMA_VERSION}" in result.output


@pytest.mark.parametrize(
    "url, english, dutch",
    [
        ("postgresql://broker_test@127.0.0.1:1/x", "cannot connect to PostgreSQL (connection to server at "
         '"127.0.0.1", port 1 failed: Connection refused', "geen verbinding met PostgreSQL"),
        ("postgresql://broker_test@nosuchhost.invalid/x", "cannot connect to PostgreSQL (failed to resolve host",
         "geen verbinding met PostgreSQL"),
        ("postgresql://db.example:notaport/x", "not a valid PostgreSQL URL (port 'notaport')",
         "geen geldige PostgreSQL-URL (poort 'notaport')"),
        ("postgres://[bad", "not a valid PostgreSQL URL (end of string reached", "geen geldige PostgreSQL-URL"),
        ("postgresql://u:s3cret@127.0.0.1/x", "the URL holds a password", "de URL bevat een wachtwoord"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["init", "search"])
def test_a_bad_or_unreachable_postgresql_url_is_one_line_in_the_users_language(url, english, dutch, command):
    for lang, expected in (("en", english), ("nl", dutch)):
        result = CliRunner().invoke(store_cli, ["--db", url, "--lang", lang, command])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
        (line,) = result.output.strip().splitlines()
        assert line.startswith("Error: postgres") and expected in line, line
        assert "s3cret" not in line


def test_a_postgresql_database_without_a_store_is_refused_except_by_init(postgres_url):
    result = CliRunner().invoke(store_cli, ["--db", postgres_url, "--lang", "en", "search"])
    assert result.exit_code == 1
    assert f"{postgres_url}: no mandates store in this database; create one with `broker store init" in result.output
    assert CliRunner().invoke(store_cli, ["--db", postgres_url, "init"]).exit_code == 0
    assert CliRunner().invoke(store_cli, ["--db", postgres_url, "search"]).exit_code == 0
