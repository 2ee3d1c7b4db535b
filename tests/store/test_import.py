"""The store's clock is today's: `--today` only with the test switch; mandates from the past come in
through `broker store import`, with their own dates and states, recorded as imported, by whom,
when, whole file or nothing, under every store rule that still applies."""

import json
import os
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from mandates_store import FileFormatError, Store
from mandates_store.cli import store as store_cli
from mandates_store.clock import TEST_CLOCK_SWITCH
from mandates_store.identifiers import with_check_digits
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, PERSON_Q, TODAY, active_mandate

UNKNOWN = with_check_digits("07777777")  # a valid number no party has
HEADER = "type;giver;taker;start;end;status;created;signed;stopped;stop_reason;reference;source_id\n"
GOOD = (
    HEADER
    + f"WSE Loket;{ORG_A};{ORG_B};2019-01-01;;Stopgezet;2018-12-20;2018-12-21;2020-05-05;einde;R1;OLD-1\n"
    + f"WSE Loket;{ORG_C};{ORG_B};01/06/2020;;Actief;2020-05-30;2020-05-31;;;R2;OLD-2\n"
    + f"Kiosk;{PERSON_Q};{PERSON_P};2021-01-01;2022-01-01;Vervallen;2020-12-01;2020-12-02;;;;OLD-3\n"
    + f"Test ORG-ORG;{ORG_A};{ORG_C};2025-01-01;;Wacht op ondertekening;2024-12-01;;;;;OLD-4\n"
)


def write(tmp_path, text: str, name: str = "export.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(world) -> tuple[int, int]:
    conn = world.db
    return (conn.execute("SELECT count(*) FROM mandates").fetchone()[0],) + (
        conn.execute("SELECT count(*) FROM mandate_events").fetchone()[0],
    )


def test_mandates_come_in_with_their_own_dates_and_the_history_says_imported_by_whom_when(world, tmp_path):
    ids = world.import_mandates(write(tmp_path, GOOD), "beheer")
    mandates = [world.mandate(i) for i in ids]
    assert [m.status for m in mandates] == ["stopped", "active", "expired", "awaiting_signature"]
    stopped, active, expired, awaiting = mandates
    assert (stopped.start_date.isoformat(), stopped.stopped_at.date().isoformat()) == ("2019-01-01", "2020-05-05")
    assert (stopped.stop_reason, stopped.reference, stopped.changed_by) == ("einde", "R1", "administrator")
    assert active.start_date.isoformat() == "2020-06-01" and active.signed_at.date().isoformat() == "2020-05-31"
    assert expired.end_date.isoformat() == "2022-01-01" and awaiting.signer == ORG_C
    history = world.history(stopped.id)
    (imported,) = [e for e in history if e.event == "imported"]
    assert imported.at == TODAY  # when: now, not 2018
    assert imported.person == "beheer" and imported.role == "administrator"
    assert imported.text_nl == (
        "Geïmporteerd door beheer (beheerder): uit export.csv (bron: OLD-1); aangemaakt op 20/12/2018, "
        "getekend op 21/12/2018, stopgezet op 05/05/2020 op het bronplatform (reden: einde)"
    )
    # the dated status changes follow from its dates: signed the day before its start
    assert [e.event for e in world.history(active.id)] == ["future_start", "active", "imported"]


def test_json_works_the_same(world, tmp_path):
    records = [
        {"type": "WSE Loket", "giver": "0411.515.075", "taker": ORG_B, "start": "2020-01-01", "status": "active"}
        | {"created": "2019-12-01", "signed": "2019-12-02"}
    ]
    (mandate_id,) = world.import_mandates(write(tmp_path, json.dumps(records), "export.json"), "beheer")
    assert world.mandate(mandate_id).giver.number == ORG_A


@pytest.mark.parametrize(
    "line, field, reason",
    [
        (f"WSE Loket;{ORG_A};{ORG_B};2019-01-01;;Actief;2018-12-20;2018-12-21", "mandate", "conflict: mandate"),
        (f"WSE Loket;0411515076;{ORG_B};2019-01-01;;Actief;2018-12-20;2018-12-21", "giver", "0411515076"),
        (f"WSE Loket;{UNKNOWN};{ORG_B};2019-01-01;;Actief;2018-12-20;2018-12-21", "giver", "not a known party"),
        (f"Kiosk;{ORG_A};{ORG_B};2019-01-01;;Actief;2018-12-20;2018-12-21", "counterparty", "does not allow"),
        (f"Nope;{ORG_A};{ORG_B};2019-01-01;;Actief;2018-12-20;2018-12-21", "mandate type", "Nope"),
        (f"WSE Loket;{ORG_B};{ORG_B};2019-01-01;;Actief;2018-12-20;2018-12-21", "taker", "both giver and taker"),
        (f"WSE Loket;{ORG_A};{ORG_C};2019-01-01;2018-01-01;Vervallen;2018-12-20;2018-12-21", "end date", "after"),
        (f"WSE Loket;{ORG_A};{ORG_C};2019-01-01;;Actief;2018-12-20;2026-01-01", "signed", "after today"),
        (f"WSE Loket;{ORG_A};{ORG_C};2019-01-01;;Actief;2018-12-20;2018-12-01", "signed", "before created"),
        (f"WSE Loket;{ORG_A};{ORG_C};2019-01-01;;Actief;2018-12-20;", "signed", "required"),
        (f"WSE Loket;{ORG_A};{ORG_C};2019-01-01;2020-01-01;Actief;2018-12-20;2018-12-21", "status", "expired"),
        (f"WSE Loket;{ORG_A};{ORG_C};2019-01-01;;Stopgezet;2018-12-20;2018-12-21", "stopped", "required"),
    ],
)
def test_every_rule_that_still_applies_refuses_the_whole_file(world, tmp_path, line, field, reason):
    active_mandate(world, ORG_A, ORG_B)  # signed, from today on: an import overlapping it conflicts
    before = count(world)
    good = f"WSE Loket;{ORG_C};{ORG_B};01/06/2020;;Actief;2020-05-30;2020-05-31\n"
    path = write(tmp_path, HEADER + good + line + "\n")
    with pytest.raises(FileFormatError) as refused:
        world.import_mandates(path, "beheer")
    assert (refused.value.line, refused.value.field) == (3, field)
    assert reason in refused.value.reason, refused.value.reason
    assert str(refused.value).startswith(f"{path}, line 3")
    assert count(world) == before  # the good first line is not kept either


def test_two_overlapping_signed_lines_of_one_file_conflict(world, tmp_path):
    line = f"WSE Loket;{ORG_A};{ORG_B};2019-01-01;;Actief;2018-12-20;2018-12-21\n"
    later = f"WSE Loket;{ORG_A};{ORG_B};2020-01-01;;Actief;2019-12-20;2019-12-21\n"
    with pytest.raises(FileFormatError) as refused:
        world.import_mandates(write(tmp_path, HEADER + line + later), "beheer")
    assert refused.value.line == 3 and "conflict" in refused.value.reason
    follow_up = f"WSE Loket;{ORG_A};{ORG_B};2019-01-01;2020-01-01;Vervallen;2018-12-20;2018-12-21\n"
    assert len(world.import_mandates(write(tmp_path, HEADER + follow_up + later), "beheer")) == 2


def test_an_unknown_column_is_refused_with_did_you_mean(world, tmp_path):
    with pytest.raises(FileFormatError) as refused:
        world.import_mandates(write(tmp_path, HEADER.replace("start;", "strat;") + "x\n"), "beheer")
    assert refused.value.field == "strat" and "did you mean 'start'?" in refused.value.reason


@pytest.fixture
def cli_store(store_location, monkeypatch):
    monkeypatch.delenv(TEST_CLOCK_SWITCH, raising=False)
    path = store_location

    def invoke(*args, env=None):
        return CliRunner().invoke(store_cli, ["--db", path, *args], env=env)

    assert invoke("init").exit_code == 0 and invoke("demo").exit_code == 0
    invoke.path = path
    return invoke


def test_today_is_refused_without_the_test_switch(cli_store):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    create = ["create", "--as", "83041738602", "--for", "0411515075", "--role", "giver", "--type", "WSE Loket"]
    create += ["--counterparty", "0429053863", "--start", yesterday, "--accept"]
    refused = cli_store("--today", yesterday, *create)
    assert refused.exit_code == 2
    assert f"zet {TEST_CLOCK_SWITCH}=1" in refused.output and "broker store import" in refused.output
    in_english = cli_store("--lang", "en", "--today", yesterday, "search")
    assert in_english.exit_code == 2 and "--today is a clock for tests and the demo" in in_english.output
    with Store(cli_store.path) as store:
        assert store.db.execute("SELECT count(*) FROM mandates WHERE start_date = ?", [yesterday]).fetchone()[0] == 0
    allowed = cli_store("--today", yesterday, *create, env={TEST_CLOCK_SWITCH: "1"})
    assert allowed.exit_code == 0, allowed.output
    assert cli_store(*create).exit_code == 1  # without the clock: a start in the past, as the domain says


def test_the_import_command(cli_store, tmp_path):
    lines = "WSE Loket;0400378485;0806154033;2019-01-01;;Actief;2018-12-20;2018-12-21;;;;\n"
    path = write(tmp_path, HEADER + lines)
    assert cli_store("import", path).exit_code == 2  # --admin: who imports is required
    done = cli_store("import", path, "--admin", "beheer")
    assert done.exit_code == 0 and f"{path}: 1 mandaten geïmporteerd: " in done.output
    mandate_id = done.output.strip().rsplit(" ", 1)[1].split("-")[0]
    shown = cli_store("show", mandate_id)
    assert "Geïmporteerd door beheer (beheerder): uit export.csv; aangemaakt op 20/12/2018" in shown.output
    again = cli_store("--lang", "en", "import", path, "--admin", "beheer")
    assert again.exit_code == 1 and f"{path}, line 2, field mandate: conflict: mandate {mandate_id}" in again.output
    assert not os.path.exists(tmp_path / "elsewhere")
