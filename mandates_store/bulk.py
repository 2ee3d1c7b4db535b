"""Bulk actions ("Gegroepeerde acties"): create from the seeds' CSV, sign or stop a search result.

Evaluated line by line and never aborted as a whole. Each line is all or nothing: its
mandates, their history and its report line go in together or not at all. What is fixed for
the whole operation (type, role, the acting person's authority) is checked first and refuses
the operation. The counterparty's e-mail address is checked for shape but never stored (the
report shows the line with that field emptied).

Bulk create commits its lines in groups (by default 1,000 lines or 0.1 s, whichever comes
first), never in the middle of a line. One commit per line cannot reach the required 20,000
lines/s on SQLite (a commit alone costs ~40 us, the whole budget of a line at 20,000/s). Each
group's commit also records how far the operation got (`last_line`), so a process killed
half-way leaves the lines before the last commit done and none half-done, the operation shows
as interrupted ("Onderbroken"), and `resume=` continues it from the next line without creating
a line twice. `commit_every=1` still gives one transaction per line.

Inside a group the lines are checked and written in chunks: the chunk's counterparties and the
signed mandates they could conflict with are read with one query each, every rule is checked
in Python in the same order as for a single creation (mandates.create_in_context, whose check
functions it calls), and the rows of all good lines go in with one executemany per table. The
write lock is held from the reads to the commit, so nothing can change in between. Should an
insert still fail (a rule only the schema knows), the chunk is undone and redone line by line
through create_in_context, each line in its own savepoint, which yields the exact reason.
"""

import csv
import functools
import hashlib
import itertools
import json
import os
import re
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import sqlite_utils

from mandates_store import identifiers
from mandates_store.database import iso_date, iso_moment, to_moment, translate_busy, write
from mandates_store.errors import InvalidInput, NotAllowed, StoreError, UnknownEntity
from mandates_store.mandates import (
    CreateContext,
    check_terms,
    conflict,
    counterparty_number,
    create_in_context,
    get_mandate,
    prepare_create,
    sides,
    sign_mandate,
    stop_mandate,
    unknown_counterparty,
)
from mandates_store.model import Actor, Party
from mandates_store.search import MandateSearch, search_mandates
from mandates_store.status import ACTIVE, AWAITING_SIGNATURE

CREATE, SIGN, STOP = "create", "sign", "stop"
KIND_NL = {CREATE: "Gegroepeerd aanmaken", SIGN: "Gegroepeerd ondertekenen", STOP: "Gegroepeerd stopzetten"}
SUCCESS, FAILURE, PARTIAL, RUNNING = "Geslaagd", "Fout", "Gedeeltelijk succes", "Bezig"
INTERRUPTED = "Onderbroken"  # shown (never stored) for a running operation whose process died

# Bulk create's default commit groups: at most this many lines, or this long, per commit.
COMMIT_LINES = 1000
COMMIT_SECONDS = 0.1
CHUNK_LINES = 250  # lines checked and written together inside a group

FIELDS = ("counterparty", "e-mail", "quality code", "language", "reference", "start date", "end date")
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
    status: str  # Geslaagd | Fout | Gedeeltelijk succes | Bezig (running) | Onderbroken
    lines_total: int
    lines_ok: int
    lines_failed: int
    last_line: int | None = None  # the last input line committed (bulk create)
    source_sha256: str | None = None
    pid: int | None = None  # the process running it, on host
    host: str | None = None

    @property
    def interrupted(self) -> bool:
        return self.status == INTERRUPTED

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
    if '"' in text or "\r" in text or "\n" in text or "\0" in text:
        return next(csv.reader([text], delimiter=";"), [])
    return text.split(";")  # what csv.reader gives for a line without quotes


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
        raise InvalidInput(
            f"too many fields ({len(fields)}, at most {len(FIELDS)})",
            f"Te veel velden ({len(fields)}, maximaal {len(FIELDS)}).",
            field="line",
        )
    fields += [""] * (len(FIELDS) - len(fields))
    number, email, quality, language, reference, start, end = fields
    if not number:
        raise InvalidInput(
            "the counterparty's number is required",
            "Het identificatienummer van de tegenpartij is verplicht.",
            field="counterparty",
        )
    if email and not _EMAIL.match(email):
        raise InvalidInput(
            f"'{email}' is not an e-mail address", "Het e-mailadres van de tegenpartij is ongeldig.", field="e-mail"
        )
    if quality:
        raise InvalidInput(
            "the quality code must stay empty for these mandates",
            "De quality code moet leeg blijven.",
            field="quality code",
            value=quality,
        )
    return CsvMandate(
        number,
        language or None,
        reference or None,
        _yyyymmdd(start, "start date", "begindatum"),
        _yyyymmdd(end, "end date", "einddatum"),
    )


def _yyyymmdd(text: str, field: str, veld: str) -> date | None:
    if not text:
        return None
    return _date8(text, field, veld)


@functools.lru_cache(maxsize=4096)  # a file has few distinct dates; refusals are not cached
def _date8(text: str, field: str, veld: str) -> date:
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvalidInput(
            f"{field} '{text}' is not a date yyyyMMdd",
            f"De {veld} '{text}' is geen geldige datum (formaat jjjjMMdd).",
            field=field,
            value=text,
        ) from None


# --- operations ---------------------------------------------------------------------------


class _Groups:
    """Where bulk create's transactions end: a group of lines commits when it holds
    `lines` lines or has been open `seconds`, whichever comes first, together with the
    operation's progress (last line, counts). A chunk of lines never spans two groups.

    During the operation the WAL is checkpointed every CHECKPOINT_PAGES instead of SQLite's
    1,000 (each checkpoint syncs the disk twice). A killed process still keeps every committed
    group (they are in the WAL); only a power cut may lose more of the last commits than
    usual, never consistency (synchronous=NORMAL)."""

    CHECKPOINT_PAGES = 10_000

    def __init__(
        self, db: sqlite_utils.Database, operation_id: int, lines: int, seconds: float, progress: tuple[int, int, int]
    ) -> None:
        self.db, self.operation_id = db, operation_id
        self.lines, self.seconds = max(1, int(lines)), seconds
        self.last_line, self.ok, self.failed = progress
        self.in_group, self.opened = 0, 0.0

    def __enter__(self) -> "_Groups":
        conn = self.db.conn
        self.autocheckpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        conn.execute(f"PRAGMA wal_autocheckpoint = {self.CHECKPOINT_PAGES}")
        return self

    def begin(self) -> None:
        """Before a chunk's reads: the group's transaction, if none is open."""
        if not self.db.conn.in_transaction:
            with translate_busy():
                self.db.conn.execute("BEGIN IMMEDIATE")
            self.in_group, self.opened = 0, time.monotonic()

    def chunk_done(self, last_line: int, ok: int, failed: int) -> None:
        self.last_line, self.ok, self.failed = last_line, self.ok + ok, self.failed + failed
        self.in_group += ok + failed
        if self.in_group >= self.lines or time.monotonic() - self.opened >= self.seconds:
            self.commit()

    def commit(self) -> None:
        conn = self.db.conn
        conn.execute(
            "UPDATE bulk_operations SET last_line = ?, lines_total = ?, lines_ok = ?, lines_failed = ? WHERE id = ?",
            [self.last_line, self.ok + self.failed, self.ok, self.failed, self.operation_id],
        )
        with translate_busy():
            conn.execute("COMMIT")

    def __exit__(self, kind, error, trace) -> None:
        conn = self.db.conn
        if conn.in_transaction:
            if kind is None:
                self.commit()
            else:  # the open group is lost whole; the operation stays resumable
                conn.execute("ROLLBACK")
        conn.execute(f"PRAGMA wal_autocheckpoint = {self.autocheckpoint}")
        if not conn.in_transaction:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for readers


def bulk_create(
    db: sqlite_utils.Database,
    actor: Actor,
    *,
    role: str,
    types: Iterable[str],
    lines: Iterable[str],
    now: datetime,
    source: str | None = None,
    source_sha256: str | None = None,
    accept_contract: bool = False,
    commit_every: int = COMMIT_LINES,
    commit_seconds: float = COMMIT_SECONDS,
    resume: int | None = None,
) -> BulkReport:
    """Create one mandate per type per line. `resume`: the id of an interrupted bulk create of
    the same party, role, types (and file, when its SHA-256 is known) to continue after its last
    committed line, in the same operation and report."""
    today = now.date()
    context = prepare_create(db, actor, role, types, today)
    if not accept_contract:
        raise NotAllowed(
            "the contract text must be accepted", "Je moet de voorwaarden van het mandaat aanvaarden.", field="contract"
        )
    type_codes = ", ".join(t.code for t in context.types)
    if resume is None:
        operation_id = _start(db, CREATE, actor, role, type_codes, source, now, source_sha256)
        progress = (0, 0, 0)
    else:
        operation_id = int(resume)
        progress = _claim(db, operation_id, context, type_codes, source_sha256)
    importer = _Importer(db, context, operation_id, now)
    numbered = ((no, text) for no, text in _numbered(lines) if no > progress[0])
    with _Groups(db, operation_id, commit_every, commit_seconds, progress) as groups:
        size = max(1, min(CHUNK_LINES, groups.lines))
        while chunk := list(itertools.islice(numbered, size)):
            plans = [importer.plan(line_no, raw) for line_no, raw in chunk]  # no lock needed
            groups.begin()
            ok = importer.write(plans)
            groups.chunk_done(chunk[-1][0], ok, len(plans) - ok)
    _finish(db, operation_id, groups.ok, groups.failed, now)
    return bulk_report(db, operation_id)


class _Plan:
    """One bulk line after the checks that need no database."""

    __slots__ = ("line_no", "raw", "text", "error", "counterparty", "number", "terms", "reference")

    def __init__(self, line_no: int, raw: str) -> None:
        self.line_no, self.raw, self.text = line_no, raw, redact(raw)
        self.error: StoreError | None = None  # the refusal found so far
        self.terms: tuple | StoreError | None = None  # (language, start, end) or its refusal


class _Importer:
    def __init__(self, db: sqlite_utils.Database, context: CreateContext, operation_id: int, now: datetime) -> None:
        self.db, self.context, self.operation_id, self.now = db, context, operation_id, now
        self.today, self.moment = now.date(), iso_moment(now)
        self.changed_by = context.changed_by
        actor = context.actor
        self.event_by = (actor.person, identifiers.party_number(actor.party, "own party")[0] if actor.party else None)
        self.codes = [t.code for t in context.types]
        self.codes_json = json.dumps(self.codes)
        # Per chunk, two queries: the counterparties' party rows, and the signed mandates of
        # these pairs (own party on the fixed side) and types, oldest first - the conflict check
        # picks the oldest overlapping one, as the single check does.
        own, other_side = context.own.number, ("taker" if context.role == "giver" else "giver")
        self.candidates_sql = (
            f"SELECT m.{other_side}, m.type_code, m.id, m.start_date, m.end_date "
            f"FROM mandates m INDEXED BY mandates_by_giver "
            f"WHERE m.{context.role} = ? AND m.{other_side} IN (SELECT value FROM json_each(?)) "
            f"AND m.type_code IN (SELECT value FROM json_each(?)) AND m.state = 'signed' "
            f"ORDER BY m.id"
        )
        self.own_number = own

    def plan(self, line_no: int, raw: str) -> _Plan:
        """The checks of create_in_context that need no database, in its order."""
        plan = _Plan(line_no, raw)
        try:
            wanted = parse_line(raw)
            plan.number = counterparty_number(wanted.counterparty)
        except StoreError as refused:
            plan.error = refused
            return plan
        plan.counterparty, plan.reference = wanted.counterparty, wanted.reference
        try:  # reported only if the counterparty passes its checks (they come first)
            plan.terms = check_terms(wanted.language, wanted.start, wanted.end, self.today)
        except StoreError as refused:
            plan.terms = refused
        return plan

    def write(self, plans: list[_Plan]) -> int:
        """Check and write one chunk inside the open group; returns the number of good lines."""
        conn = self.db.conn
        numbers = json.dumps(sorted({p.number for p in plans if p.error is None}))
        parties = {
            row[0]: Party(*row)
            for row in conn.execute(
                "SELECT p.number, p.kind, p.name FROM json_each(?) j JOIN parties p ON p.number = j.value", [numbers]
            )
        }
        signed: dict[tuple[str, str], list[tuple]] = {}
        for other, code, mandate_id, start, end in conn.execute(
            self.candidates_sql, [self.own_number, numbers, self.codes_json]
        ):
            signed.setdefault((other, code), []).append((mandate_id, start, end))
        next_id = conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mandates'), 0), "
            "coalesce((SELECT max(id) FROM mandates), 0)) + 1"
        ).fetchone()[0]
        first_id, context, operation_id = next_id, self.context, self.operation_id
        mandates, events, report, made = [], [], [], []
        moment, changed_by, (person, party) = self.moment, self.changed_by, self.event_by
        for plan in plans:
            try:
                if plan.error is not None:
                    raise plan.error
                other = parties.get(plan.number)
                if other is None:
                    raise unknown_counterparty(plan.number, plan.counterparty)
                giver, taker = sides(context, other, plan.counterparty)
                if not isinstance(plan.terms, tuple):
                    raise plan.terms
                language, start, end = plan.terms
                start, end = iso_date(start), iso_date(end)
                for code in self.codes:
                    for mandate_id, m_start, m_end in signed.get((other.number, code), ()):
                        if m_start < (end or "9999-12-31") and start < (m_end or "9999-12-31"):
                            raise conflict(mandate_id, code, giver, taker)
            except StoreError as refused:
                report.append((operation_id, plan.line_no, plan.text, 0, refused.message_nl))
                continue
            # Mandates made here are awaiting signature: they never enter `signed`, just as a
            # line's own mandates never conflict with a later line in create_in_context.
            for code in self.codes:
                mandates.append(
                    (
                        next_id,
                        code,
                        giver.number,
                        taker.number,
                        other.number,
                        start,
                        end,
                        plan.reference,
                        language,
                        moment,
                        changed_by,
                        moment,
                    )
                )
                events.append((next_id, moment, changed_by, person, party))
                made.append((operation_id, plan.line_no, next_id))
                next_id += 1
            report.append((operation_id, plan.line_no, plan.text, 1, None))
        conn.execute("SAVEPOINT bulk_chunk")
        try:
            conn.executemany(
                "INSERT INTO mandates (id, type_code, giver, taker, state, signer, start_date, "
                "end_date, reference, language, created_at, changed_by, changed_at) "
                "VALUES (?, ?, ?, ?, 'awaiting', ?, ?, ?, ?, ?, ?, ?, ?)",
                mandates,
            )
            conn.executemany(
                "INSERT INTO mandate_events (mandate_id, at, event, role, person, party) "
                "VALUES (?, ?, 'created', ?, ?, ?)",
                events,
            )
            conn.executemany(
                "INSERT INTO bulk_lines (operation_id, line_no, input, ok, reason) VALUES (?, ?, ?, ?, ?)", report
            )
            conn.executemany(
                "INSERT INTO bulk_line_mandates (operation_id, line_no, mandate_id) VALUES (?, ?, ?)", made
            )
        except sqlite3.Error:  # a rule only the schema holds: redo line by line, exactly
            conn.execute("ROLLBACK TO bulk_chunk")
            conn.execute("RELEASE bulk_chunk")
            return self.write_each(plans)
        conn.execute("RELEASE bulk_chunk")
        return (next_id - first_id) // len(self.codes)

    def write_each(self, plans: list[_Plan]) -> int:
        return sum(
            _create_line(self.db, self.context, self.operation_id, plan.line_no, plan.raw, self.now) for plan in plans
        )


def _create_line(db, context, operation_id: int, line_no: int, raw: str, now: datetime) -> bool:
    """One line through create_in_context, all or nothing (a savepoint inside the group's
    transaction): its mandates and its report line. A refusal by the schema itself (a CHECK,
    trigger or foreign key the Python checks did not foresee) refuses this line only."""
    with write(db):
        try:
            wanted = parse_line(raw)
            ids = create_in_context(
                db,
                context,
                counterparty=wanted.counterparty,
                now=now,
                start=wanted.start,
                end=wanted.end,
                reference=wanted.reference,
                language=wanted.language,
                accept_contract=True,
            )
            reason = None
        except StoreError as refused:
            ids, reason = (), refused.message_nl
        except sqlite3.IntegrityError as refused:  # a rule only the schema holds
            ids, reason = (), f"De mandatenopslag weigert deze lijn: {refused}."
        _record(db, operation_id, line_no, redact(raw), ids, reason)
    return reason is None


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for line_no, raw in enumerate(lines, 1):
        text = raw.rstrip("\r\n")
        if text.strip():  # blank lines (a trailing newline) are no mandates
            yield line_no, text


def bulk_sign(
    db: sqlite_utils.Database,
    actor: Actor,
    search: MandateSearch,
    *,
    confirm_count: int,
    now: datetime,
    accept_contract: bool = False,
) -> BulkReport:
    if not accept_contract:
        raise NotAllowed(
            "the contract text must be accepted", "Je moet de voorwaarden van het mandaat aanvaarden.", field="contract"
        )
    return _bulk_over_search(
        db,
        actor,
        search,
        AWAITING_SIGNATURE,
        SIGN,
        confirm_count,
        now,
        lambda mandate_id: sign_mandate(db, actor, mandate_id, now=now, accept_contract=True),
    )


def bulk_stop(
    db: sqlite_utils.Database,
    actor: Actor,
    search: MandateSearch,
    *,
    confirm_count: int,
    now: datetime,
    reason: str | None = None,
) -> BulkReport:
    return _bulk_over_search(
        db,
        actor,
        search,
        ACTIVE,
        STOP,
        confirm_count,
        now,
        lambda mandate_id: stop_mandate(db, actor, mandate_id, now=now, reason=reason),
    )


def preview(db: sqlite_utils.Database, actor: Actor, search: MandateSearch, kind: str, day: date) -> list:
    """The search result a bulk sign or stop would act on (its length is the count to confirm)."""
    status = AWAITING_SIGNATURE if kind == SIGN else ACTIVE
    return search_mandates(db, replace(search, party=actor.party, status=status), day)


def _bulk_over_search(
    db, actor: Actor, search: MandateSearch, status: str, kind: str, confirm_count: int, now: datetime, act
) -> BulkReport:
    found = search_mandates(db, replace(search, party=actor.party, status=status), now.date())
    if confirm_count != len(found):
        raise NotAllowed(
            f"confirmation {confirm_count} does not match the {len(found)} mandates found",
            f"Het bevestigde aantal ({confirm_count}) komt niet overeen met het aantal mandaten "
            f"in het zoekresultaat ({len(found)}).",
            field="count",
            value=confirm_count,
        )
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


def _start(
    db,
    kind: str,
    actor: Actor,
    role: str | None,
    types: str | None,
    source: str | None,
    now: datetime,
    source_sha256: str | None = None,
) -> int:
    party = identifiers.party_number(actor.party, "own party")[0]
    with write(db):
        return db.conn.execute(
            "INSERT INTO bulk_operations (kind, started_at, person, party, role, mandate_types, "
            "source, status, lines_total, lines_ok, lines_failed, last_line, source_sha256, pid, "
            "host) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?)",
            [
                kind,
                iso_moment(now),
                actor.person,
                party,
                role,
                types,
                source,
                RUNNING,
                source_sha256,
                os.getpid(),
                socket.gethostname(),
            ],
        ).lastrowid


def _operation_by_id(db, operation_id: int):
    row = db.conn.execute(f"{_OPERATION} WHERE id = ?", [operation_id]).fetchone()
    if row is None:
        raise UnknownEntity(
            f"bulk operation {operation_id} does not exist",
            f"gegroepeerde actie {operation_id} bestaat niet",
            field="operation",
            value=operation_id,
        )
    return _operation(row)


def _claim(
    db, operation_id: int, context: CreateContext, types: str, source_sha256: str | None
) -> tuple[int, int, int]:
    """Take over an interrupted bulk create; returns its (last line, ok, failed)."""
    with write(db):
        operation = _operation_by_id(db, operation_id)

        def refuse(reason: str, reden: str) -> NotAllowed:
            return NotAllowed(
                f"bulk operation {operation_id} cannot be resumed: {reason}",
                f"Gegroepeerde actie {operation_id} kan niet hervat worden: {reden}.",
                field="operation",
                value=operation_id,
            )

        if operation.kind != CREATE:
            raise refuse("it is no bulk create", "het is geen gegroepeerd aanmaken")
        if operation.status not in (RUNNING, INTERRUPTED):
            raise refuse(f"it has finished ({operation.status})", f"ze is al afgelopen ({operation.status})")
        if operation.status == RUNNING:
            raise refuse(
                f"process {operation.pid} on {operation.host} may still be running it",
                f"proces {operation.pid} op {operation.host} voert ze misschien nog uit",
            )
        if (operation.party, operation.role, set((operation.mandate_types or "").split(", "))) != (
            context.own.number,
            context.role,
            set(types.split(", ")),
        ):
            raise refuse("party, role or mandate types differ", "partij, rol of mandaattypes verschillen")
        if operation.source_sha256 and source_sha256 and operation.source_sha256 != source_sha256:
            raise refuse(
                "the file differs from the one it was reading", "het bestand verschilt van het bestand dat ze las"
            )
        db.conn.execute(
            "UPDATE bulk_operations SET pid = ?, host = ? WHERE id = ?",
            [os.getpid(), socket.gethostname(), operation_id],
        )
    return operation.last_line or 0, operation.lines_ok, operation.lines_failed


def _record(db, operation_id: int, line_no: int, text: str, mandate_ids: Iterable[int], reason: str | None) -> None:
    db.conn.execute(
        "INSERT INTO bulk_lines (operation_id, line_no, input, ok, reason) VALUES (?, ?, ?, ?, ?)",
        [operation_id, line_no, text, 0 if reason else 1, reason],
    )
    for mandate_id in mandate_ids:
        db.conn.execute(
            "INSERT INTO bulk_line_mandates (operation_id, line_no, mandate_id) VALUES (?, ?, ?)",
            [operation_id, line_no, mandate_id],
        )


def _finish(db, operation_id: int, ok: int, failed: int, now: datetime) -> None:
    with write(db):
        db.conn.execute(
            "UPDATE bulk_operations SET status = ?, finished_at = ?, lines_total = ?, "
            "lines_ok = ?, lines_failed = ? WHERE id = ?",
            [overall_status(ok, failed), iso_moment(now), ok + failed, ok, failed, operation_id],
        )


# --- history and reports ------------------------------------------------------------------

_OPERATION = (
    "SELECT id, kind, started_at, finished_at, person, party, role, mandate_types, "
    "source, status, lines_total, lines_ok, lines_failed, last_line, source_sha256, "
    "pid, host FROM bulk_operations"
)


def _operation(row: tuple) -> BulkOperation:
    values = list(row)
    values[2], values[3] = to_moment(values[2]), to_moment(values[3])
    operation = BulkOperation(*values)
    if operation.status == RUNNING and not _may_be_running(operation.pid, operation.host):
        operation = replace(operation, status=INTERRUPTED)
    return operation


def _may_be_running(pid: int | None, host: str | None) -> bool:
    """False only when the process is known to be gone: on this host, and not alive."""
    if pid is None or host != socket.gethostname():
        return True  # cannot tell
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a killed child not yet reaped is a zombie
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def lines_sha256(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def interrupted_creates(db: sqlite_utils.Database, party: str, source_sha256: str) -> list[BulkOperation]:
    """Interrupted bulk creates of this party that read the same file (to resume, not rerun)."""
    rows = db.conn.execute(
        f"{_OPERATION} WHERE party = ? AND kind = ? AND status = ? AND source_sha256 = ? ORDER BY id",
        [identifiers.party_number(party, "party")[0], CREATE, RUNNING, source_sha256],
    )
    return [op for op in map(_operation, rows) if op.interrupted]


def operations(db: sqlite_utils.Database, party: str | None = None) -> list[BulkOperation]:
    """The history of bulk operations, newest first (of one party, or all)."""
    if party is None:
        rows = db.conn.execute(f"{_OPERATION} ORDER BY id DESC")
    else:
        rows = db.conn.execute(
            f"{_OPERATION} WHERE party = ? ORDER BY id DESC", [identifiers.party_number(party, "party")[0]]
        )
    return [_operation(row) for row in rows]


def bulk_report(db: sqlite_utils.Database, operation_id: int) -> BulkReport:
    operation = _operation_by_id(db, operation_id)
    ids: dict[int, list[int]] = {}
    for line_no, mandate_id in db.conn.execute(
        "SELECT line_no, mandate_id FROM bulk_line_mandates WHERE operation_id = ? ORDER BY line_no, mandate_id",
        [operation_id],
    ):
        ids.setdefault(line_no, []).append(mandate_id)
    lines = [
        BulkLine(line_no, text, bool(ok), tuple(ids.get(line_no, ())), reason)
        for line_no, text, ok, reason in db.conn.execute(
            "SELECT line_no, input, ok, reason FROM bulk_lines WHERE operation_id = ? ORDER BY line_no", [operation_id]
        )
    ]
    if operation.status in (RUNNING, INTERRUPTED):  # not finished: count what is there
        done = sum(line.ok for line in lines)
        operation = replace(operation, lines_total=len(lines), lines_ok=done, lines_failed=len(lines) - done)
    return BulkReport(operation, lines)


_TITLE = {
    CREATE: ("Mandaten aanmaken", "Aangemaakt door", "aangemaakte"),
    SIGN: ("Ondertekening mandaten", "Ondertekend door", "ondertekende"),
    STOP: ("Stopzetting mandaten", "Stopgezet door", "stopgezette"),
}


def report_text_nl(db: sqlite_utils.Database, report: BulkReport) -> str:
    """The report as the seeds show it (their PDF), as plain text."""
    operation = report.operation
    title, by, done = _TITLE[operation.kind]
    out = [
        title,
        f"Datum {operation.started_at:%d/%m/%Y}",
        f"{by} {operation.person}",
        f"Status {operation.status}",
        f"Aantal {done} mandaten: {len(report.created)}",
        f"Lijst van de {done} mandaten",
    ]
    day = operation.started_at.date()
    for number, mandate_id in enumerate(report.created, 1):
        out.append(f"{number}. {describe(get_mandate(db, mandate_id, day))}")
    if report.refused:
        out.append("Lijst ongeldige CSV-lijnen" if operation.kind == CREATE else "Lijst mislukte mandaten")
        for number, line in enumerate(report.refused, 1):
            what = f"Mandaat voor {line.input}" if operation.kind == CREATE else f"Mandaat {line.input}"
            out.append(f"{number}. Lijn {line.line_no}: {what} : {line.reason}")
    return "\n".join(out) + "\n"


def describe(mandate) -> str:
    """ "Mandaat WSE Loket vanaf 10/12/2019 tot 09/12/2020 tussen: Emmaüs 0411515075 en ..."."""
    from datetime import timedelta

    text = f"Mandaat {mandate.type_code} vanaf {mandate.start_date:%d/%m/%Y}"
    if mandate.end_date is not None:  # the last valid day: the end date itself is exclusive
        text += f" tot {mandate.end_date - timedelta(days=1):%d/%m/%Y}"
    return f"{text} tussen: {mandate.giver.name} {mandate.giver.number} en {mandate.taker.name} {mandate.taker.number}"
