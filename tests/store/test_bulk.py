from datetime import timedelta

import pytest

from mandates_store import Actor, MandateSearch, NotAllowed, Store, UnknownEntity
from mandates_store.bulk import parse_line, redact
from tests.store.conftest import ORG_A, ORG_B, ORG_C, active_mandate, admin

ORG_D = "0400378485"  # Colruyt
ORG_E = "0402206045"


@pytest.fixture
def firm(world):
    world.put_party(ORG_D, "Etablissements Fr. Colruyt")
    world.put_party(ORG_E, "Onderneming 0402206045")
    return world


def seed_lines(today):
    start, end = today.strftime("%Y%m%d"), (today + timedelta(days=366)).strftime("%Y%m%d")
    past = (today - timedelta(days=1)).strftime("%Y%m%d")
    return [
        f"0400048883;adrestegenpartij1@test.be;;nl;M001;{start};{end}",
        f"400.378.485;adrestegenpartij2@test.be;;nl;M004;{start};{end}",
        f"0402206045;adrestegenpartij3@test.be;;nl;M007;{past};{end}",
    ]


def test_seed_example_is_partial_success_with_the_seeds_reason(firm):
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=seed_lines(firm.today()), accept_contract=True
    )
    assert report.status == "Gedeeltelijk succes"
    assert len(report.created) == 2
    (refused,) = report.refused
    assert refused.line_no == 3
    assert refused.reason == "De begindatum moet groter of gelijk zijn aan de datum van vandaag."
    for mandate_id in report.created:
        assert firm.mandate(mandate_id).status == "awaiting_signature"  # the others still sign
    assert {firm.mandate(i).reference for i in report.created} == {"M001", "M004"}


def test_all_good_is_geslaagd_all_bad_is_fout(firm):
    good = firm.bulk_create(
        admin(ORG_A), role="giver", types=["WSE Loket"], lines=["0400048883", "0400378485;;;fr"], accept_contract=True
    )
    assert good.status == "Geslaagd" and len(good.created) == 2
    bad = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types=["WSE Loket"],
        lines=["0400048884", "0411515075", "", "88012226557"],
        accept_contract=True,
    )
    assert bad.status == "Fout" and [line.line_no for line in bad.refused] == [1, 2, 4]
    assert "controlegetal" in bad.refused[0].reason
    assert "tegelijk mandaatgever en mandaatnemer" in bad.refused[1].reason
    assert "laat de combinatie" in bad.refused[2].reason


@pytest.mark.parametrize(
    "line, reason",
    [
        (";a@b.be", "verplicht"),
        ("0400048883;geen-adres", "e-mailadres"),
        ("0400048883;;Q1", "quality code"),
        ("0400048883;;;es", "taal"),
        ("0400048883;;;nl;R;2025-03-10", "jjjjMMdd"),
        ("0400048883;;;nl;R;20250310;20250230", "jjjjMMdd"),
        ("0400048883;;;nl;R;20300101;20291231", "einddatum"),
        ("0400048883;;;nl;R;;;extra", "Te veel velden"),
        ("0425260668", "niet gekend"),
    ],
)
def test_each_invalid_line_gets_its_reason(firm, line, reason):
    report = firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=[line], accept_contract=True)
    assert report.status == "Fout"
    assert reason in report.refused[0].reason


def test_conflicting_line_is_refused_and_the_rest_goes_on(firm):
    existing = active_mandate(firm, ORG_A, ORG_C)
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=["0400048883", "0400378485"], accept_contract=True
    )
    assert report.status == "Gedeeltelijk succes"
    assert str(existing.id) in report.refused[0].reason and "Conflict" in report.refused[0].reason


def test_whole_operation_refused_for_bad_type_role_authority_or_contract(firm):
    before = firm.bulk_operations()
    with pytest.raises(UnknownEntity):
        firm.bulk_create(admin(ORG_A), role="giver", types="Nope", lines=["0400048883"], accept_contract=True)
    with pytest.raises(NotAllowed):
        firm.bulk_create(
            Actor("88012226557", ORG_A), role="giver", types="WSE Loket", lines=["0400048883"], accept_contract=True
        )
    with pytest.raises(NotAllowed, match="contract"):
        firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=["0400048883"])
    assert firm.bulk_operations() == before


def test_several_types_per_line_make_several_mandates(firm):
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types=["Test ORG-ORG", "Test Uniek"], lines=["0400048883"], accept_contract=True
    )
    assert len(report.lines[0].mandate_ids) == 2


def test_taker_role_for_the_whole_file(firm):
    report = firm.bulk_create(admin(ORG_B), role="taker", types="WSE Loket", lines=["0411515075"], accept_contract=True)
    mandate = firm.mandate(report.created[0])
    assert (mandate.giver.number, mandate.taker.number, mandate.signer) == (ORG_A, ORG_B, ORG_A)


def test_email_is_never_stored(firm):
    firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=seed_lines(firm.today()), accept_contract=True
    )
    assert "adrestegenpartij" not in every_stored_text(firm)


def test_file_in_windows_1252_with_crlf_and_blank_tail(firm, tmp_path):
    path = tmp_path / "import.csv"
    path.write_bytes("0400048883;;;nl;Dossier café\r\n0400378485;;;nl\r\n\r\n".encode("cp1252"))
    report = firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", path=path, accept_contract=True)
    assert report.status == "Geslaagd" and len(report.lines) == 2
    assert firm.mandate(report.created[0]).reference == "Dossier café"
    assert firm.bulk_operations()[0].source == str(path)


def test_report_text_looks_like_the_seeds(firm):
    today = firm.today()
    end = today + timedelta(days=365)
    report = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types="WSE Loket",
        lines=[f"0400048883;;;nl;M001;;{end:%Y%m%d}", "0402206045;x@y.be;;nl;M007;20000101"],
        accept_contract=True,
    )
    text = firm.bulk_report_text(report.operation.id)
    assert text.startswith("Mandaten aanmaken\n")
    last_day = end - timedelta(days=1)
    assert (
        f"1. Mandaat WSE Loket vanaf {today:%d/%m/%Y} tot {last_day:%d/%m/%Y} tussen: "
        f"Emmaüs 0411515075 en BALOISE BELGIUM 0400048883"
    ) in text
    assert (
        "1. Lijn 2: Mandaat voor 0402206045;;;nl;M007;20000101 : De begindatum moet groter "
        "of gelijk zijn aan de datum van vandaag."
    ) in text


def test_history_of_bulk_operations(firm):
    firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=["0400048883"], accept_contract=True)
    firm.bulk_create(admin(ORG_A), role="giver", types="Test Uniek", lines=["0400048884"], accept_contract=True)
    history = firm.bulk_operations(ORG_A)
    assert [(o.kind_nl, o.status) for o in history] == [
        ("Gegroepeerd aanmaken", "Fout"),
        ("Gegroepeerd aanmaken", "Geslaagd"),
    ]
    assert firm.bulk_operations(ORG_B) == []


def test_bulk_sign_needs_the_exact_count_then_signs_each(firm):
    made = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types="WSE Loket",
        lines=["0806154033", "0400048883", "0400378485"],
        accept_contract=True,
    )
    active_mandate(firm, ORG_D, ORG_B, "Test Uniek")  # active: not in the sign search
    query = MandateSearch(party=None, role="taker")
    for taker in (ORG_B, ORG_C):
        actor = admin(taker)
        (one,) = firm.bulk_preview(actor, query, "sign")
        with pytest.raises(NotAllowed, match="does not match"):
            firm.bulk_sign(actor, query, confirm_count=2, accept_contract=True)
        assert firm.mandate(one.id).status == "awaiting_signature"
        report = firm.bulk_sign(actor, query, confirm_count=1, accept_contract=True)
        assert report.status == "Geslaagd" and report.operation.kind_nl == "Gegroepeerd ondertekenen"
        assert firm.mandate(one.id).status == "active"
    assert len(made.created) == 3


def test_bulk_sign_of_mandates_awaiting_the_other_side_fails_per_line(firm):
    firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=["0806154033"], accept_contract=True)
    report = firm.bulk_sign(admin(ORG_A), MandateSearch(party=None), confirm_count=1, accept_contract=True)
    assert report.status == "Fout" and "tegenpartij" in report.refused[0].reason


def test_bulk_stop_with_reason_for_all(firm):
    first = active_mandate(firm, ORG_A, ORG_B)
    second = active_mandate(firm, ORG_A, ORG_C)
    active_mandate(firm, ORG_D, ORG_A)  # ORG_A is taker here: outside the giver search
    query = MandateSearch(party=None, role="giver")
    assert len(firm.bulk_preview(admin(ORG_A), query, "stop")) == 2
    report = firm.bulk_stop(admin(ORG_A), query, confirm_count=2, reason="Einde contract")
    assert report.status == "Geslaagd"
    assert {firm.mandate(m.id).stop_reason for m in (first, second)} == {"Einde contract"}
    assert "Stopzetting mandaten" in firm.bulk_report_text(report.operation.id)


def test_line_parser_and_redaction():
    parsed = parse_line("0400048883;a@b.be;;nl;M001;20191210;20201210")
    assert (parsed.counterparty, parsed.reference, str(parsed.start), str(parsed.end)) == (
        "0400048883",
        "M001",
        "2019-12-10",
        "2020-12-10",
    )
    assert redact("0400048883;a@b.be;;nl") == "0400048883;;;nl"


def test_grouped_commits_keep_each_line_whole(firm):
    lines = ["0400048883", "0400048884", "0400378485", "0806154033", "0402206045"]
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=lines, accept_contract=True, commit_every=2
    )
    assert report.status == "Gedeeltelijk succes"
    assert [line.ok for line in report.lines] == [True, False, True, True, True]
    assert not firm.db.in_transaction
    count = firm.db.execute("SELECT count(*) FROM mandates").fetchone()[0]
    assert count == len(report.created) == 4


# --- the batched import: same results as line by line, grouped commits, resume ------------


def lines_with_every_case(today):
    day = lambda days: (today + timedelta(days=days)).strftime("%Y%m%d")  # noqa: E731
    return [
        "0400048883;a@b.be;;nl;OK1",  # good
        "0400048883;;;fr;OK2",  # the same counterparty again: both await signature
        "0806154033",  # conflicts with a signed mandate (one type of two)
        f"0806154033;;;nl;FOLLOW;{day(30)}",  # starts on the signed one's end date: allowed
        "0400048884",  # mod-97
        "0425260668",  # unknown party
        "0411515075",  # the creating party itself
        "88012226557",  # a person: the types allow organisations only
        "0400378485;;;es",  # language
        f"0400378485;;;nl;PAST;{day(-1)}",  # start in the past
        f"0400378485;;;nl;END;{day(5)};{day(5)}",  # end not after start
        "0400378485;;;nl;R;;;extra",  # too many fields
        "0400378485;geen-adres",  # e-mail shape
        "0400378485;;Q1",  # quality code
        '"0400378485";"x@y.be";;"nl";"quoted;ref"',  # quotes: the csv module's reading
        "",  # blank: skipped
        "402.206.045;;;de;DOTS",  # dots and no leading zero
    ]


def prepared_world(path, clock):
    from tests.store.conftest import fill_world

    store = fill_world(Store(path, now=clock))
    store.put_party(ORG_D, "Etablissements Fr. Colruyt")
    store.put_party(ORG_E, "Onderneming 0402206045")
    # signed Test Uniek mandate Emmaüs -> BAROCY ending in 30 days
    active_mandate(store, ORG_A, ORG_B, "Test Uniek", end=store.today() + timedelta(days=30))
    return store


def test_batched_import_gives_exactly_what_line_by_line_creation_gives(new_location, clock, monkeypatch):
    from mandates_store.bulk import create as bulk_create_module

    def outcome(store, report):
        conn = store.db
        # Ids by rank: a PostgreSQL sequence keeps the values a refused line drew (SQLite's
        # AUTOINCREMENT rolls back with it), so only the order of the ids is the same.
        mandates = conn.execute("SELECT * FROM mandates ORDER BY id").fetchall()
        rank = {row[0]: number for number, row in enumerate(mandates)}
        return (
            [
                (line.line_no, line.input, line.ok, line.reason, tuple(rank[i] for i in line.mandate_ids))
                for line in report.lines
            ],
            report.status,
            [(rank[row[0]], *row[1:]) for row in mandates],
            [
                (rank[row[0]], *row[1:])
                for row in conn.execute(
                    "SELECT mandate_id, at, event, role, person, party, detail FROM mandate_events ORDER BY mandate_id, id"
                )
            ],
        )

    results = []
    for mode in ("batched", "line by line"):
        with prepared_world(new_location(f"{mode}.db"), clock) as store:
            if mode == "line by line":  # every chunk through create_in_context
                monkeypatch.setattr(bulk_create_module._Importer, "write", bulk_create_module._Importer.write_each)
            report = store.bulk_create(
                admin(ORG_A),
                role="giver",
                types=["Test ORG-ORG", "Test Uniek"],
                lines=lines_with_every_case(store.today()),
                accept_contract=True,
            )
            results.append(outcome(store, report))
            monkeypatch.undo()
    batched, line_by_line = results
    assert batched == line_by_line
    lines = {line_no: (ok, reason) for line_no, _, ok, reason, _ in batched[0]}
    assert [n for n, (ok, _) in lines.items() if ok] == [1, 2, 4, 15, 17]
    assert "Conflict met het bestaande mandaat" in lines[3][1]
    assert "controlegetal" in lines[5][1] and "niet gekend" in lines[6][1]
    assert "tegelijk" in lines[7][1] and "combinatie" in lines[8][1]
    assert "taal" in lines[9][1] and "begindatum" in lines[10][1]
    assert "einddatum" in lines[11][1] and "Te veel velden" in lines[12][1]
    assert "e-mailadres" in lines[13][1] and "quality code" in lines[14][1]
    assert 16 not in lines  # the blank line
    assert len(batched[2]) == 1 + 2 * 5  # the signed one, and two types per good line


def test_two_lines_for_one_counterparty_behave_as_two_single_creations(firm):
    """The conflict rule concerns signed mandates: two lines of one file for the same pair
    both await signature (as two single creations would), and signing the second conflicts."""
    report = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types="WSE Loket",
        lines=["0400048883;;;nl;EEN", "0400048883;;;nl;TWEE"],
        accept_contract=True,
    )
    first, second = report.created
    assert report.status == "Geslaagd"
    firm.sign(admin(ORG_C), first, accept_contract=True)
    from mandates_store import Conflict

    with pytest.raises(Conflict) as refused:
        firm.sign(admin(ORG_C), second, accept_contract=True)
    assert refused.value.existing_id == first


def refuse_reference_boom(store) -> None:
    """A rule the Python checks do not know: the schema refuses a mandate with reference BOOM."""
    if store.db.engine == "sqlite":
        store.db.execute(
            "CREATE TEMP TRIGGER no_boom BEFORE INSERT ON mandates "
            "WHEN NEW.reference = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
    else:
        store.db.execute(
            "CREATE FUNCTION no_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.reference = 'BOOM' THEN RAISE EXCEPTION 'boom' USING ERRCODE = 'integrity_constraint_violation'; "
            "END IF; RETURN NEW; END $$"
        )
        store.db.execute("CREATE TRIGGER no_boom BEFORE INSERT ON mandates FOR EACH ROW EXECUTE FUNCTION no_boom()")


def test_a_refusal_by_the_schema_itself_refuses_that_line_only(firm):
    # The chunk's batch insert fails, and its group is redone line by line, each line in its
    # own savepoint.
    refuse_reference_boom(firm)
    report = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types="WSE Loket",
        lines=["0400048883", "0400378485;;;nl;BOOM", "0402206045"],
        accept_contract=True,
    )
    assert [line.ok for line in report.lines] == [True, False, True]
    assert report.refused[0].reason == "De mandatenopslag weigert deze lijn: boom."
    conn = firm.db
    assert conn.execute("SELECT count(*) FROM mandates").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM mandate_events").fetchone()[0] == 2


def test_a_refusal_by_the_schema_in_a_later_chunk_redoes_the_whole_group_once(firm):
    # 600 lines in one group of 1,000: chunks of 250, 250 and 100 lines. The second chunk's
    # insert fails: the group (the first chunk's lines too) is rolled back and redone line by
    # line; no line is lost or made twice, and the operation's counts are the report's.
    numbers = many_organisations(firm, 600)
    refuse_reference_boom(firm)
    lines = [f"{number};;;nl;{'BOOM' if i == 399 else f'R{i}'}" for i, number in enumerate(numbers)]
    report = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", lines=lines, accept_contract=True, commit_every=1000
    )
    assert [line.line_no for line in report.refused] == [400]
    assert report.refused[0].reason == "De mandatenopslag weigert deze lijn: boom."
    assert [line.line_no for line in report.lines] == list(range(1, 601))
    conn = firm.db
    references = [row[0] for row in conn.execute("SELECT reference FROM mandates ORDER BY id")]
    assert references == [f"R{i}" for i in range(600) if i != 399]
    assert sorted(report.created) == [row[0] for row in conn.execute("SELECT id FROM mandates ORDER BY id")]
    assert conn.execute("SELECT count(*) FROM mandate_events").fetchone()[0] == 599
    operation = report.operation
    assert (operation.status, operation.lines_ok, operation.lines_failed) == ("Gedeeltelijk succes", 599, 1)
    assert conn.execute("SELECT last_line FROM bulk_operations WHERE id = ?", [operation.id]).fetchone()[0] == 600


STORE_TABLES = (
    "parties", "mandate_types", "mandate_type_combinations", "mandates", "mandate_events",
    "work_relationships", "user_rights", "user_right_mandate_types", "user_right_givers",
    "legal_representatives", "bulk_operations", "bulk_lines", "bulk_line_mandates",
)  # fmt: skip


def every_stored_text(store) -> str:
    return "\n".join(
        repr(row) for table in STORE_TABLES for row in store.db.execute(f"SELECT * FROM {table}").fetchall()
    )


def many_organisations(store, count):
    from mandates_store.identifiers import with_check_digits

    numbers = [with_check_digits(f"{10_000_000 + i:08d}") for i in range(count)]
    with store.db.transaction():
        store.db.insert_many("parties", ({"number": n, "kind": "organisation", "name": f"Org {n}"} for n in numbers))
    return numbers


@pytest.mark.parametrize(
    "every, seconds, group_commits",
    [
        (1000, 3600, 1),  # one group: 600 lines < 1,000
        (100, 3600, 6),  # bounded by count
        (1000, 0, 3),  # bounded by time: each chunk (250, 250, 100 lines) commits at once
        (1, 3600, 600),  # one transaction per line
    ],
)
def test_commits_are_grouped_by_count_and_by_time(firm, every, seconds, group_commits):
    numbers = many_organisations(firm, 600)
    commits = []
    commit = firm.db.commit
    firm.db.commit = lambda: (commits.append(1), commit())  # every transaction ends through it
    report = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types="WSE Loket",
        lines=numbers,
        accept_contract=True,
        commit_every=every,
        commit_seconds=seconds,
    )
    del firm.db.commit
    assert report.status == "Geslaagd" and len(report.created) == 600
    # the operation's start and finish are one transaction each
    assert len(commits) == group_commits + 2
    assert report.operation.last_line == 600


def interrupt(store, operation_id, last_line):
    """Make the operation look like one whose process was killed after `last_line`."""
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    assert gone.wait() == 0  # reaped: its pid belongs to no process now
    store.db.execute(
        "UPDATE bulk_operations SET status = 'Bezig', finished_at = NULL, "
        "pid = ?, host = ?, last_line = ? WHERE id = ?",
        [gone.pid, socket.gethostname(), last_line, operation_id],
    )


def test_resume_is_refused_when_it_could_duplicate_or_mix_things(firm, tmp_path):
    from mandates_store.bulk import file_sha256

    path = tmp_path / "file.csv"
    path.write_text("0400048883\n0400378485\n")
    first = firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", lines=["0400048883"], accept_contract=True)
    op = first.operation.id
    firm.db.execute("UPDATE bulk_operations SET source_sha256 = ? WHERE id = ?", [file_sha256(path), op])
    assert firm.bulk_operations()[0].status == "Geslaagd"
    with pytest.raises(NotAllowed, match="finished"):
        firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", path=path, accept_contract=True, resume=op)
    import os
    import socket

    firm.db.execute(
        "UPDATE bulk_operations SET status = 'Bezig', pid = ?, host = ? WHERE id = ?",
        [os.getpid(), socket.gethostname(), op],
    )
    assert firm.bulk_operations()[0].status == "Bezig"  # this very process: still running
    with pytest.raises(NotAllowed, match="still be running"):
        firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", path=path, accept_contract=True, resume=op)
    interrupt(firm, op, 1)
    assert firm.bulk_operations()[0].status == "Onderbroken"
    other = tmp_path / "other.csv"
    other.write_text("0400378485\n")
    with pytest.raises(NotAllowed, match="file differs"):
        firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", path=other, accept_contract=True, resume=op)
    with pytest.raises(NotAllowed, match="types differ"):
        firm.bulk_create(admin(ORG_A), role="giver", types="Test Uniek", path=path, accept_contract=True, resume=op)
    with pytest.raises(UnknownEntity):
        firm.bulk_create(admin(ORG_A), role="giver", types="WSE Loket", path=path, accept_contract=True, resume=op + 1)
    resumed = firm.bulk_create(
        admin(ORG_A), role="giver", types="WSE Loket", path=path, accept_contract=True, resume=op
    )
    assert [line.line_no for line in resumed.lines] == [1, 2] and resumed.status == "Geslaagd"
    assert firm.db.execute("SELECT count(*) FROM mandates").fetchone()[0] == 2


def test_resume_accepts_the_same_types_in_another_order(firm):
    lines = ["0400048883", "0400378485"]
    first = firm.bulk_create(
        admin(ORG_A), role="giver", types=["Test ORG-ORG", "Test Uniek"], lines=lines[:1], accept_contract=True
    )
    from mandates_store.bulk import lines_sha256

    firm.db.execute(
        "UPDATE bulk_operations SET source_sha256 = ? WHERE id = ?", [lines_sha256(lines), first.operation.id]
    )
    interrupt(firm, first.operation.id, 1)
    resumed = firm.bulk_create(
        admin(ORG_A),
        role="giver",
        types=["Test Uniek", "Test ORG-ORG"],
        lines=lines,
        accept_contract=True,
        resume=first.operation.id,
    )
    assert resumed.status == "Geslaagd" and len(resumed.created) == 4
    assert [line.line_no for line in resumed.lines] == [1, 2]
