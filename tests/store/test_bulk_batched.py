"""The batched bulk import: the same results as line by line, grouped commits, resume."""

from datetime import timedelta

import pytest

from mandates_store import NotAllowed, Store, UnknownEntity
from tests.store.conftest import ORG_A, ORG_B, ORG_C, ORG_D, ORG_E, active_mandate, admin

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


def batched_and_line_by_line(new_location, clock, monkeypatch, make_lines, outcome):
    """The same bulk create on two fresh worlds, batched and line by line (every chunk through
    create_in_context): `outcome(store, report)` of each."""
    from mandates_store.bulk import create as bulk_create_module

    results = []
    for mode in ("batched", "line by line"):
        with prepared_world(new_location(f"{mode}.db"), clock) as store:
            if mode == "line by line":
                monkeypatch.setattr(bulk_create_module._Importer, "write", bulk_create_module._Importer.write_each)
            report = store.bulk_create(
                admin(ORG_A),
                role="giver",
                types=["Test ORG-ORG", "Test Uniek"],
                lines=make_lines(store.today()),
                accept_contract=True,
            )
            results.append(outcome(store, report))
            monkeypatch.undo()
    return results


def test_batched_import_gives_exactly_what_line_by_line_creation_gives(new_location, clock, monkeypatch):
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

    batched, line_by_line = batched_and_line_by_line(new_location, clock, monkeypatch, lines_with_every_case, outcome)
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
