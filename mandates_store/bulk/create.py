"""Bulk create: lines checked and written in chunks, committed in groups, resumable (see the package)."""

import itertools
import json
import time
from collections.abc import Iterable, Iterator
from datetime import datetime

from mandates_store import identifiers
from mandates_store.bulk.csv_format import parse_line, redact
from mandates_store.bulk.model import CHUNK_LINES, COMMIT_LINES, COMMIT_SECONDS, CREATE, BulkReport
from mandates_store.bulk.operations import claim_operation, finish_operation, record_line, start_operation
from mandates_store.bulk.reports import bulk_report
from mandates_store.database import iso_date, iso_moment, write
from mandates_store.engines import Database, error_text
from mandates_store.errors import InvalidInput, NotAllowed, StoreError
from mandates_store.mandates import (
    CreateContext,
    check_terms,
    conflict,
    counterparty_number,
    create_in_context,
    prepare_create,
    sides,
    unknown_counterparty,
)
from mandates_store.model import Actor, Party

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
        self, db: Database, operation_id: int, lines: int, seconds: float, progress: tuple[int, int, int]
    ) -> None:
        self.db, self.operation_id = db, operation_id
        self.lines, self.seconds = max(1, int(lines)), seconds
        self.last_line, self.ok, self.failed = progress
        self.in_group, self.opened = 0, 0.0

    def __enter__(self) -> "_Groups":
        self.session = self.db.bulk_session(self.CHECKPOINT_PAGES)
        self.session.__enter__()
        return self

    def begin(self) -> None:
        """Before a chunk's reads: the group's transaction, if none is open."""
        if not self.db.in_transaction:
            self.db.begin()
            self.in_group, self.opened = 0, time.monotonic()

    def chunk_done(self, last_line: int, ok: int, failed: int) -> None:
        self.last_line, self.ok, self.failed = last_line, self.ok + ok, self.failed + failed
        self.in_group += ok + failed
        if self.in_group >= self.lines or time.monotonic() - self.opened >= self.seconds:
            self.commit()

    def commit(self) -> None:
        self.db.execute(
            "UPDATE bulk_operations SET last_line = ?, lines_total = ?, lines_ok = ?, lines_failed = ? WHERE id = ?",
            [self.last_line, self.ok + self.failed, self.ok, self.failed, self.operation_id],
        )
        self.db.commit()

    def __exit__(self, kind, error, trace) -> None:
        try:
            if self.db.in_transaction:
                if kind is None:
                    self.commit()
                else:  # the open group is lost whole; the operation stays resumable
                    self.db.rollback()
        finally:
            self.session.__exit__(kind, error, trace)


def bulk_create(
    db: Database,
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
    lines = list(lines)
    if not any(text.strip() for text in lines):
        # nothing to do is no success: no operation is recorded
        where = f"{source}: " if source else ""
        raise InvalidInput(
            f"{where}the file holds no mandate lines (it is empty)",
            f"{where}het bestand bevat geen mandaatlijnen (het is leeg)",
        )
    if resume is None:
        operation_id = start_operation(db, CREATE, actor, role, type_codes, source, now, source_sha256)
        progress = (0, 0, 0)
    else:
        operation_id = int(resume)
        progress = claim_operation(db, operation_id, context, type_codes, source_sha256)
    importer = _Importer(db, context, operation_id, now)
    numbered = ((no, text) for no, text in _numbered(lines) if no > progress[0])
    with _Groups(db, operation_id, commit_every, commit_seconds, progress) as groups:
        size = max(1, min(CHUNK_LINES, groups.lines))
        while chunk := list(itertools.islice(numbered, size)):
            plans = [importer.plan(line_no, raw) for line_no, raw in chunk]  # no lock needed
            groups.begin()
            ok = importer.write(plans)
            groups.chunk_done(chunk[-1][0], ok, len(plans) - ok)
    finish_operation(db, operation_id, groups.ok, groups.failed, now)
    return bulk_report(db, operation_id)


class _Plan:
    """One bulk line after the checks that need no database."""

    __slots__ = ("line_no", "raw", "text", "error", "counterparty", "number", "terms", "reference")

    def __init__(self, line_no: int, raw: str) -> None:
        self.line_no, self.raw, self.text = line_no, raw, redact(raw)
        self.error: StoreError | None = None  # the refusal found so far
        self.terms: tuple | StoreError | None = None  # (language, start, end) or its refusal


def periods_overlap(m_start: str, m_end: str | None, start: str, end: str | None) -> bool:
    """The period part of schema.CONFLICT_RULE, on ISO texts (candidates_sql selected the rest:
    pair, type, signed); tests/store/test_conflict_rule.py holds the two to the same answers."""
    return m_start < (end or "9999-12-31") and start < (m_end or "9999-12-31")


class _Importer:
    def __init__(self, db: Database, context: CreateContext, operation_id: int, now: datetime) -> None:
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
            f"FROM mandates m {db.indexed_by('mandates_by_giver')} "
            f"WHERE m.{context.role} = ? AND m.{other_side} IN ({db.json_list}) "
            f"AND m.type_code IN ({db.json_list}) AND m.state = 'signed' "
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
        db = self.db
        numbers = json.dumps(sorted({p.number for p in plans if p.error is None}))
        parties = {
            row[0]: Party(*row)
            for row in db.execute(
                f"SELECT p.number, p.kind, p.name FROM parties p WHERE p.number IN ({db.json_list})", [numbers]
            )
        }
        signed: dict[tuple[str, str], list[tuple]] = {}
        for other, code, mandate_id, start, end in db.execute(
            self.candidates_sql, [self.own_number, numbers, self.codes_json]
        ):
            signed.setdefault((other, code), []).append((mandate_id, start, end))
        context, operation_id = self.context, self.operation_id
        mandates, events, report, made, accepted = [], [], [], [], []
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
                        if periods_overlap(m_start, m_end, start, end):
                            raise conflict(mandate_id, code, giver, taker)
            except StoreError as refused:
                report.append((operation_id, plan.line_no, plan.text, 0, refused.message_nl))
                continue
            # Mandates made here are awaiting signature: they never enter `signed`, just as a
            # line's own mandates never conflict with a later line in create_in_context.
            accepted.append((plan, giver.number, taker.number, other.number, start, end, language))
            report.append((operation_id, plan.line_no, plan.text, 1, None))
        # Ids for the good lines only, in line order: what line-by-line creation would give.
        ids = iter(db.reserve_ids("mandates", len(accepted) * len(self.codes)) if accepted else ())
        for plan, giver, taker, other, start, end, language in accepted:
            for code in self.codes:
                next_id = next(ids)
                mandates.append(
                    (
                        next_id,
                        code,
                        giver,
                        taker,
                        other,
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
        try:
            with db.savepoint("bulk_chunk"):
                self.insert_chunk(mandates, events, report, made)
        except db.Error:  # a rule only the schema holds: redo line by line, exactly
            return self.write_each(plans)
        return len(accepted)

    def insert_chunk(self, mandates: list, events: list, report: list, made: list) -> None:
        db = self.db
        db.executemany(
            "INSERT INTO mandates (id, type_code, giver, taker, state, signer, start_date, "
            "end_date, reference, language, created_at, changed_by, changed_at) "
            "VALUES (?, ?, ?, ?, 'awaiting', ?, ?, ?, ?, ?, ?, ?, ?)",
            mandates,
        )
        db.executemany(
            "INSERT INTO mandate_events (mandate_id, at, event, role, person, party) VALUES (?, ?, 'created', ?, ?, ?)",
            events,
        )
        db.executemany(
            "INSERT INTO bulk_lines (operation_id, line_no, input, ok, reason) VALUES (?, ?, ?, ?, ?)", report
        )
        db.executemany("INSERT INTO bulk_line_mandates (operation_id, line_no, mandate_id) VALUES (?, ?, ?)", made)

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
        except db.IntegrityError as refused:  # a rule only the schema holds
            ids, reason = (), f"De mandatenopslag weigert deze lijn: {error_text(refused)}."
        record_line(db, operation_id, line_no, redact(raw), ids, reason)
    return reason is None


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for line_no, raw in enumerate(lines, 1):
        text = raw.rstrip("\r\n")
        if text.strip():  # blank lines (a trailing newline) are no mandates
            yield line_no, text
