"""Bulk actions ("Gegroepeerde acties"): create from the seeds' CSV, sign or stop a search result.

Evaluated line by line and never aborted as a whole: each line is its own transaction (its
mandates, their history and its report line commit together), so a process killed half-way
leaves the lines before it committed and none half-done. What is fixed for the whole operation
(type, role, the acting person's authority) is checked first and refuses the operation.
The counterparty's e-mail address is checked for shape but never stored (the report shows the
line with that field emptied).
"""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import sqlite_utils

from mandates_store import identifiers
from mandates_store.database import iso_moment, to_moment, translate_busy, write
from mandates_store.errors import (InvalidInput, NotAllowed, StoreBusy, StoreError,
                                   UnknownEntity)
from mandates_store.mandates import (create_in_context, get_mandate, prepare_create, sign_mandate,
                                     stop_mandate)
from mandates_store.model import Actor
from mandates_store.search import MandateSearch, search_mandates
from mandates_store.status import ACTIVE, AWAITING_SIGNATURE

CREATE, SIGN, STOP = "create", "sign", "stop"
KIND_NL = {CREATE: "Gegroepeerd aanmaken", SIGN: "Gegroepeerd ondertekenen",
           STOP: "Gegroepeerd stopzetten"}
SUCCESS, FAILURE, PARTIAL, RUNNING = "Geslaagd", "Fout", "Gedeeltelijk succes", "Bezig"

FIELDS = ("counterparty", "e-mail", "quality code", "language", "reference", "start date",
          "end date")
_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")


@dataclass(frozen=True)
class BulkLine:
    line_no: int
    input: str
    ok: bool
    mandate_ids: tuple[int, ...]
    reason: str | None  # Dutch, as in the seeds' report


@dataclass(frozen=True)
class BulkOperation:
    id: int
    kind: str
    started_at: datetime
    finished_at: datetime | None
    person: str | None
    party: str
    role: str | None
    mandate_types: str | None
    source: str | None
    status: str  # Geslaagd | Fout | Gedeeltelijk succes | Bezig (running or interrupted)
    lines_total: int
    lines_ok: int
    lines_failed: int

    @property
    def kind_nl(self) -> str:
        return KIND_NL[self.kind]


@dataclass(frozen=True)
class BulkReport:
    operation: BulkOperation
    lines: list[BulkLine]

    @property
    def status(self) -> str:
        return self.operation.status

    @property
    def created(self) -> list[int]:
        return [i for line in self.lines if line.ok for i in line.mandate_ids]

    @property
    def refused(self) -> list[BulkLine]:
        return [line for line in self.lines if not line.ok]


@dataclass(frozen=True)
class CsvMandate:
    counterparty: str
    language: str | None
    reference: str | None
    start: date | None
    end: date | None


def overall_status(ok: int, failed: int) -> str:
    if failed == 0:
        return SUCCESS
    return FAILURE if ok == 0 else PARTIAL


# --- the CSV format -----------------------------------------------------------------------

def read_lines(path: str | Path) -> list[str]:
    """The seeds advise Excel's "CSV (gescheiden door lijstscheidingsteken)", which is
    Windows-1252, not UTF-8: accept both."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return text.splitlines()


def split_line(text: str) -> list[str]:
    return next(csv.reader([text], delimiter=";"), [])


def redact(text: str) -> str:
    """The line as stored in the report: without the e-mail address (never stored)."""
    fields = split_line(text)
    if len(fields) >= 2 and fields[1]:
        fields[1] = ""
        return ";".join(fields)
    return text


def parse_line(text: str) -> CsvMandate:
    fields = [f.strip() for f in split_line(text)]
    if len(fields) > len(FIELDS):
        raise InvalidInput(f"too many fields ({len(fields)}, at most {len(FIELDS)})",
                           f"Te veel velden ({len(fields)}, maximaal {len(FIELDS)}).",
                           field="line")
    fields += [""] * (len(FIELDS) - len(fields))
    number, email, quality, language, reference, start, end = fields
    if not number:
        raise InvalidInput("the counterparty's number is required",
                           "Het identificatienummer van de tegenpartij is verplicht.",
                           field="counterparty")
    if email and not _EMAIL.match(email):
        raise InvalidInput(f"'{email}' is not an e-mail address",
                           "Het e-mailadres van de tegenpartij is ongeldig.", field="e-mail")
    if quality:
        raise InvalidInput("the quality code must stay empty for these mandates",
                           "De quality code moet leeg blijven.", field="quality code",
                           value=quality)
    return CsvMandate(number, language or None, reference or None,
                      _yyyymmdd(start, "start date", "begindatum"),
                      _yyyymmdd(end, "end date", "einddatum"))


def _yyyymmdd(text: str, field: str, veld: str) -> date | None:
    if not text:
        return None
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvalidInput(f"{field} '{text}' is not a date yyyyMMdd",
                           f"De {veld} '{text}' is geen geldige datum (formaat jjjjMMdd).",
                           field=field, value=text) from None


# --- operations ---------------------------------------------------------------------------

class _Commits:
    """Where the line transactions end. Default (every=1): each line commits on its own, as the
    issue asks. With every=N > 1, each line is still all-or-nothing (a savepoint) but N lines
    share one commit: much faster on slow disks, and a killed process then loses the lines
    since the last commit (whole, never half), which the report shows as not done.

    During the operation the WAL is checkpointed every CHECKPOINT_PAGES instead of SQLite's
    1,000 (each checkpoint syncs the disk twice, otherwise every ~100 lines). A killed process
    still keeps every committed line (they are in the WAL); only a power cut may lose more of
    the last commits than usual, never consistency (synchronous=NORMAL)."""

    CHECKPOINT_PAGES = 10_000

    def __init__(self, db: sqlite_utils.Database, every: int) -> None:
        self.db, self.every, self.done = db, max(1, int(every)), 0

    def __enter__(self) -> "_Commits":
        conn = self.db.conn
        self.autocheckpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        conn.execute(f"PRAGMA wal_autocheckpoint = {self.CHECKPOINT_PAGES}")
        if self.every > 1:
            with translate_busy():
                conn.execute("BEGIN IMMEDIATE")
        return self

    def line_done(self) -> None:
        self.done += 1
        if self.every > 1 and self.done % self.every == 0:
            with translate_busy():
                self.db.conn.execute("COMMIT")
                self.db.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, error, trace) -> None:
        conn = self.db.conn
        if self.every > 1 and conn.in_transaction:
            conn.execute("ROLLBACK" if kind else "COMMIT")
        conn.execute(f"PRAGMA wal_autocheckpoint = {self.autocheckpoint}")
        if not conn.in_transaction:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for readers


def bulk_create(db: sqlite_utils.Database, actor: Actor, *, role: str, types: Iterable[str],
                lines: Iterable[str], now: datetime, source: str | None = None,
                accept_contract: bool = False, commit_every: int = 1) -> BulkReport:
    today = now.date()
    context = prepare_create(db, actor, role, types, today)
    if not accept_contract:
        raise NotAllowed("the contract text must be accepted",
                         "Je moet de voorwaarden van het mandaat aanvaarden.", field="contract")
    type_codes = ", ".join(t.code for t in context.types)
    operation_id = _start(db, CREATE, actor, role, type_codes, source, now)
    ok = failed = 0
    with _Commits(db, commit_every) as commits:
        for line_no, raw in _numbered(lines):
            try:
                ok_line = _create_line(db, context, operation_id, line_no, raw, now)
            except StoreBusy as busy:  # the line is refused, not the whole operation
                with write(db):
                    _record(db, operation_id, line_no, redact(raw), (), busy.message_nl)
                ok_line = False
            ok, failed = ok + ok_line, failed + (not ok_line)
            commits.line_done()
    _finish(db, operation_id, ok, failed, now)
    return bulk_report(db, operation_id)


def _create_line(db, context, operation_id: int, line_no: int, raw: str, now: datetime) -> bool:
    """One transaction for the line, refused or not: its mandates (a savepoint inside
    create_in_context, undone on a refusal) and its report line commit together."""
    with write(db):
        try:
            wanted = parse_line(raw)
            ids = create_in_context(db, context, counterparty=wanted.counterparty, now=now,
                                    start=wanted.start, end=wanted.end,
                                    reference=wanted.reference, language=wanted.language,
                                    accept_contract=True)
            reason = None
        except StoreBusy:
            raise
        except StoreError as refused:
            ids, reason = (), refused.message_nl
        _record(db, operation_id, line_no, redact(raw), ids, reason)
    return reason is None


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for line_no, raw in enumerate(lines, 1):
        text = raw.rstrip("\r\n")
        if text.strip():  # blank lines (a trailing newline) are no mandates
            yield line_no, text


def bulk_sign(db: sqlite_utils.Database, actor: Actor, search: MandateSearch, *,
              confirm_count: int, now: datetime, accept_contract: bool = False) -> BulkReport:
    if not accept_contract:
        raise NotAllowed("the contract text must be accepted",
                         "Je moet de voorwaarden van het mandaat aanvaarden.", field="contract")
    return _bulk_over_search(db, actor, search, AWAITING_SIGNATURE, SIGN, confirm_count, now,
                             lambda mandate_id: sign_mandate(db, actor, mandate_id, now=now,
                                                             accept_contract=True))


def bulk_stop(db: sqlite_utils.Database, actor: Actor, search: MandateSearch, *,
              confirm_count: int, now: datetime, reason: str | None = None) -> BulkReport:
    return _bulk_over_search(db, actor, search, ACTIVE, STOP, confirm_count, now,
                             lambda mandate_id: stop_mandate(db, actor, mandate_id, now=now,
                                                             reason=reason))


def preview(db: sqlite_utils.Database, actor: Actor, search: MandateSearch, kind: str,
            day: date) -> list:
    """The search result a bulk sign or stop would act on (its length is the count to confirm)."""
    status = AWAITING_SIGNATURE if kind == SIGN else ACTIVE
    return search_mandates(db, replace(search, party=actor.party, status=status), day)


def _bulk_over_search(db, actor: Actor, search: MandateSearch, status: str, kind: str,
                      confirm_count: int, now: datetime, act) -> BulkReport:
    found = search_mandates(db, replace(search, party=actor.party, status=status), now.date())
    if confirm_count != len(found):
        raise NotAllowed(
            f"confirmation {confirm_count} does not match the {len(found)} mandates found",
            f"Het bevestigde aantal ({confirm_count}) komt niet overeen met het aantal mandaten "
            f"in het zoekresultaat ({len(found)}).", field="count", value=confirm_count)
    operation_id = _start(db, kind, actor, None, None, None, now)
    ok = failed = 0
    for line_no, mandate in enumerate(sorted(found, key=lambda m: m.id), 1):
        text = f"{mandate.id};{mandate.type_code};{mandate.giver.number};{mandate.taker.number}"
        try:
            with write(db):
                act(mandate.id)
                _record(db, operation_id, line_no, text, (mandate.id,), None)
            ok += 1
        except StoreError as refused:
            with write(db):
                _record(db, operation_id, line_no, text, (mandate.id,), refused.message_nl)
            failed += 1
    _finish(db, operation_id, ok, failed, now)
    return bulk_report(db, operation_id)


def _start(db, kind: str, actor: Actor, role: str | None, types: str | None,
           source: str | None, now: datetime) -> int:
    party = identifiers.party_number(actor.party, "own party")[0]
    with write(db):
        return db.conn.execute(
            "INSERT INTO bulk_operations (kind, started_at, person, party, role, mandate_types, "
            "source, status, lines_total, lines_ok, lines_failed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)",
            [kind, iso_moment(now), actor.person, party, role, types, source, RUNNING]).lastrowid


def _record(db, operation_id: int, line_no: int, text: str, mandate_ids: Iterable[int],
            reason: str | None) -> None:
    db.conn.execute("INSERT INTO bulk_lines (operation_id, line_no, input, ok, reason) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [operation_id, line_no, text, 0 if reason else 1, reason])
    for mandate_id in mandate_ids:
        db.conn.execute("INSERT INTO bulk_line_mandates (operation_id, line_no, mandate_id) "
                        "VALUES (?, ?, ?)", [operation_id, line_no, mandate_id])


def _finish(db, operation_id: int, ok: int, failed: int, now: datetime) -> None:
    with write(db):
        db.conn.execute("UPDATE bulk_operations SET status = ?, finished_at = ?, lines_total = ?, "
                        "lines_ok = ?, lines_failed = ? WHERE id = ?",
                        [overall_status(ok, failed), iso_moment(now), ok + failed, ok, failed,
                         operation_id])


# --- history and reports ------------------------------------------------------------------

_OPERATION = ("SELECT id, kind, started_at, finished_at, person, party, role, mandate_types, "
              "source, status, lines_total, lines_ok, lines_failed FROM bulk_operations")


def _operation(row: tuple) -> BulkOperation:
    values = list(row)
    values[2], values[3] = to_moment(values[2]), to_moment(values[3])
    return BulkOperation(*values)


def operations(db: sqlite_utils.Database, party: str | None = None) -> list[BulkOperation]:
    """The history of bulk operations, newest first (of one party, or all)."""
    if party is None:
        rows = db.conn.execute(f"{_OPERATION} ORDER BY id DESC")
    else:
        rows = db.conn.execute(f"{_OPERATION} WHERE party = ? ORDER BY id DESC",
                               [identifiers.party_number(party, "party")[0]])
    return [_operation(row) for row in rows]


def bulk_report(db: sqlite_utils.Database, operation_id: int) -> BulkReport:
    row = db.conn.execute(f"{_OPERATION} WHERE id = ?", [operation_id]).fetchone()
    if row is None:
        raise UnknownEntity(f"bulk operation {operation_id} does not exist",
                            f"gegroepeerde actie {operation_id} bestaat niet",
                            field="operation", value=operation_id)
    operation = _operation(row)
    ids: dict[int, list[int]] = {}
    for line_no, mandate_id in db.conn.execute(
            "SELECT line_no, mandate_id FROM bulk_line_mandates WHERE operation_id = ? "
            "ORDER BY line_no, mandate_id", [operation_id]):
        ids.setdefault(line_no, []).append(mandate_id)
    lines = [BulkLine(line_no, text, bool(ok), tuple(ids.get(line_no, ())), reason)
             for line_no, text, ok, reason in db.conn.execute(
                 "SELECT line_no, input, ok, reason FROM bulk_lines WHERE operation_id = ? "
                 "ORDER BY line_no", [operation_id])]
    if operation.status == RUNNING:  # interrupted or still running: count what is there
        done = sum(line.ok for line in lines)
        operation = replace(operation, lines_total=len(lines), lines_ok=done,
                            lines_failed=len(lines) - done)
    return BulkReport(operation, lines)


_TITLE = {CREATE: ("Mandaten aanmaken", "Aangemaakt door", "aangemaakte"),
          SIGN: ("Ondertekening mandaten", "Ondertekend door", "ondertekende"),
          STOP: ("Stopzetting mandaten", "Stopgezet door", "stopgezette")}


def report_text_nl(db: sqlite_utils.Database, report: BulkReport) -> str:
    """The report as the seeds show it (their PDF), as plain text."""
    operation = report.operation
    title, by, done = _TITLE[operation.kind]
    out = [title, f"Datum {operation.started_at:%d/%m/%Y}", f"{by} {operation.person}",
           f"Status {operation.status}", f"Aantal {done} mandaten: {len(report.created)}",
           f"Lijst van de {done} mandaten"]
    day = operation.started_at.date()
    for number, mandate_id in enumerate(report.created, 1):
        out.append(f"{number}. {describe(get_mandate(db, mandate_id, day))}")
    if report.refused:
        out.append("Lijst ongeldige CSV-lijnen" if operation.kind == CREATE
                   else "Lijst mislukte mandaten")
        for number, line in enumerate(report.refused, 1):
            what = f"Mandaat voor {line.input}" if operation.kind == CREATE \
                else f"Mandaat {line.input}"
            out.append(f"{number}. Lijn {line.line_no}: {what} : {line.reason}")
    return "\n".join(out) + "\n"


def describe(mandate) -> str:
    """"Mandaat WSE Loket vanaf 10/12/2019 tot 09/12/2020 tussen: Emmaüs 0411515075 en ..."."""
    from datetime import timedelta
    text = f"Mandaat {mandate.type_code} vanaf {mandate.start_date:%d/%m/%Y}"
    if mandate.end_date is not None:  # the last valid day: the end date itself is exclusive
        text += f" tot {mandate.end_date - timedelta(days=1):%d/%m/%Y}"
    return (f"{text} tussen: {mandate.giver.name} {mandate.giver.number} en "
            f"{mandate.taker.name} {mandate.taker.number}")
