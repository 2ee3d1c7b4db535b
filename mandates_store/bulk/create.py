"""Bulk create: lines checked and written in chunks, committed in groups, resumable (see the package)."""

import json
import time
from collections.abc import Iterable, Iterator
from datetime import datetime

from mandates_store import identifiers
from mandates_store.bulk.csv_format import EMAIL, parse_fields, parse_line, redact, split_line
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
from mandates_store.model import GIVER, ORGANISATION, PERSON, Actor, Party
from mandates_store.schema import SIGNED_INDEX

# --- operations ---------------------------------------------------------------------------


class _Groups:
    """Where bulk create's transactions end: a group of lines commits when it holds
    `lines` lines or has been open `seconds`, whichever comes first, together with the
    operation's progress (last line, counts). A chunk of lines never spans two groups.
    Should a chunk's insert fail, the group is rolled back whole and its lines are redone one by
    one (see undo): no savepoint per chunk, which made SQLite copy every page a chunk changed.

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
        self.last_line, self.ok, self.failed = self.committed = progress
        self.plans: list = []  # the open group's lines
        self.opened = 0.0

    def __enter__(self) -> "_Groups":
        self.session = self.db.bulk_session(self.CHECKPOINT_PAGES)
        self.session.__enter__()
        return self

    def begin(self) -> None:
        """Before a chunk's reads: the group's transaction, if none is open."""
        if not self.db.in_transaction:
            self.db.begin()
            self.plans, self.opened = [], time.monotonic()

    def chunk_done(self, plans: list, ok: int) -> None:
        """`plans`: the chunk's lines, `ok` of them good, all written in the open group."""
        self.plans += plans
        self.last_line, self.ok, self.failed = plans[-1].line_no, self.ok + ok, self.failed + len(plans) - ok
        if len(self.plans) >= self.lines or time.monotonic() - self.opened >= self.seconds:
            self.commit()

    def undo(self) -> list:
        """Roll the open group back; returns its lines, to be redone."""
        self.db.rollback()
        self.last_line, self.ok, self.failed = self.committed
        plans, self.plans = self.plans, []
        return plans

    def commit(self) -> None:
        self.db.execute(
            "UPDATE bulk_operations SET last_line = ?, lines_ok = ?, lines_failed = ? WHERE id = ?",
            [self.last_line, self.ok, self.failed, self.operation_id],
        )
        self.db.commit()
        self.committed, self.plans = (self.last_line, self.ok, self.failed), []

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
    numbered = list(_numbered(lines))  # (line number, text) of the lines that are no blank
    if not numbered:
        # nothing to do is no success: no operation is recorded
        where = f"{source}: " if source else ""
        raise InvalidInput(
            f"{where}the file holds no mandate lines (it is empty)",
            f"{where}het bestand bevat geen mandaatlijnen (het is leeg)",
        )
    if resume is None:
        total = len(numbered)  # the progress a page shows: done of total
        operation_id = start_operation(db, CREATE, actor, role, type_codes, source, now, source_sha256, total)
        progress = (0, 0, 0)
    else:
        operation_id = int(resume)
        progress = claim_operation(db, operation_id, context, type_codes, source_sha256)
        numbered = [item for item in numbered if item[0] > progress[0]]
    importer = _Importer(db, context, operation_id, now)
    with _Groups(db, operation_id, commit_every, commit_seconds, progress) as groups:
        size = max(1, min(CHUNK_LINES, groups.lines))
        # A group's lines are planned before its transaction opens: that work needs no lock,
        # and a group that holds the lock shorter meets its time limit less often.
        ahead = max(size, groups.lines)
        for first in range(0, len(numbered), ahead):
            plans = [importer.plan(line_no, raw) for line_no, raw in numbered[first : first + ahead]]
            for at in range(0, len(plans), size):
                chunk = plans[at : at + size]
                groups.begin()
                ok = importer.write(chunk)
                if ok is None:  # a rule only the schema holds: the group again, line by line
                    chunk = groups.undo() + chunk
                    groups.begin()
                    ok = importer.write_each(chunk)
                groups.chunk_done(chunk, ok)
    finish_operation(db, operation_id, groups.ok, groups.failed, now)
    return bulk_report(db, operation_id)


class _Plan:
    """One bulk line after the checks that need no database."""

    __slots__ = ("line_no", "raw", "text", "error", "counterparty", "number", "terms", "reference")

    def __init__(
        self, line_no: int, raw: str, text: str, number=None, counterparty=None, reference=None, terms=None
    ) -> None:
        self.line_no, self.raw, self.text = line_no, raw, text
        self.error: StoreError | None = None  # the refusal found so far
        self.number, self.counterparty, self.reference = number, counterparty, reference
        # (language, ISO start, ISO end or None) or its refusal
        self.terms: tuple | StoreError | None = terms


def periods_overlap(m_start: str, m_end: str | None, start: str, end: str | None) -> bool:
    """The period part of schema.CONFLICT_RULE, on ISO texts (chunk_sql selected the rest:
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
        # Per chunk, one query: the counterparties' party rows, each with the signed mandates of
        # its pair (own party on the fixed side) in these types - the conflict check picks the
        # oldest overlapping one, as the single check does. One lookup per counterparty (engines'
        # left_join_each): as a plain join, PostgreSQL's kept plan (made when the own party had
        # few mandates) read all of the own party's mandates per chunk, the import's own. SQLite
        # reads the index of signed mandates only (schema.SIGNED_INDEX): the awaiting ones every
        # import adds are not in it; PostgreSQL has no such index (its step 11) and ignores `index`.
        own, other_side = context.own.number, ("taker" if context.role == "giver" else "giver")
        self.chunk_sql = (
            "SELECT p.number, p.kind, p.name, m.type_code, m.id, m.start_date, m.end_date FROM parties p "
            + db.left_join_each(
                table="mandates m",
                columns="m.type_code, m.id, m.start_date, m.end_date, m.state",
                key=f"m.{context.role} = ? AND m.{other_side} = p.number "
                f"AND m.type_code IN ({', '.join('?' * len(self.codes))})",
                keep="m.state = 'signed'",
                index=SIGNED_INDEX,
            )
            + f" WHERE p.number {db.in_json_list}"
        )
        self.own_number = own
        # giver (own party) and taker (the counterparty), or the other way round
        self.usual = context.role == GIVER
        # the counterparty kinds every type allows (sides() refuses the others, with its reason)
        self.allowed_kinds = {
            kind
            for kind in (ORGANISATION, PERSON)
            if all(
                ((context.own.kind, kind) if self.usual else (kind, context.own.kind)) in t.combinations
                for t in context.types
            )
        }
        self.terms: dict[tuple, tuple] = {}  # (language, start, end) as parsed -> check_terms' answer
        self.plain_terms: dict[tuple, tuple] = {}  # the same, by the fields' text (a plain line's)

    def plan(self, line_no: int, raw: str) -> _Plan:
        """The checks of create_in_context that need no database, in its order. A plain line
        (seven fields, nothing to strip or unquote, terms already seen good) takes a short cut
        that gives what plan_in_full gives; anything else goes the full way, for its exact error."""
        fields = raw.split(";")
        if len(fields) == 7 and raw.isprintable() and " " not in raw and '"' not in raw:
            number, email, quality, language, reference, start, end = fields
            terms = self.plain_terms.get((language, start, end))
            if terms is not None and number and not quality and (not email or EMAIL.match(email)):
                try:
                    normalised = counterparty_number(number)
                except StoreError:
                    return self.plan_in_full(line_no, raw)
                text = f"{number};{raw[len(number) + len(email) + 1 :]}" if email else raw  # redacted
                return _Plan(line_no, raw, text, normalised, number, reference or None, terms)
        return self.plan_in_full(line_no, raw)

    def plan_in_full(self, line_no: int, raw: str) -> _Plan:
        fields = split_line(raw)  # split once: for the report's text and for the parse
        plan = _Plan(line_no, raw, redact(raw, fields))
        try:
            counterparty, language, reference, start, end = parse_fields(fields)
            plan.number = counterparty_number(counterparty)
        except StoreError as refused:
            plan.error = refused
            return plan
        plan.counterparty, plan.reference = counterparty, reference
        # reported only if the counterparty passes its checks (they come first)
        plan.terms = self.terms.get((language, start, end)) or self.check_terms(language, start, end)
        if type(plan.terms) is tuple and len(fields) == 7:  # the short cut's key: the fields' text
            if len(self.plain_terms) >= 4096:
                self.plain_terms.clear()
            self.plain_terms[fields[3].strip(), fields[5].strip(), fields[6].strip()] = plan.terms
        return plan

    def check_terms(self, language: str | None, start, end) -> tuple | StoreError:
        """check_terms with ISO dates; the good answers are kept (a file has few distinct terms)."""
        try:
            checked, first, until = check_terms(language, start, end, self.today)
        except StoreError as refused:
            return refused  # not kept: an exception raised again would grow its traceback
        if len(self.terms) >= 4096:
            self.terms.clear()
        terms = self.terms[language, start, end] = (checked, iso_date(first), iso_date(until))
        return terms

    def write(self, plans: list[_Plan]) -> int | None:
        """Check and write one chunk inside the open group; returns the number of good lines, or
        None when an insert failed (the group's transaction must then be rolled back)."""
        db = self.db
        numbers = json.dumps(sorted({p.number for p in plans if p.error is None}))
        parties: dict[str, tuple] = {}  # number -> its row (number, kind, name first)
        signed: dict[tuple[str, str], list[tuple]] = {}
        for row in db.execute(*self.chunk_query(numbers)):
            parties[row[0]] = row
            if row[4] is not None:
                signed.setdefault((row[0], row[3]), []).append(row[4:])
        for found in signed.values():
            found.sort()  # oldest first
        operation_id, codes, own, usual, allowed = (
            self.operation_id,
            self.codes,
            self.own_number,
            self.usual,
            self.allowed_kinds,
        )
        report, accepted = [], []
        for plan in plans:
            refused = plan.error
            if refused is None:
                row = parties.get(plan.number)
                # the usual line breaks no rule: known, allowed, no signed mandate to meet
                if row is None or row[1] not in allowed or row[0] == own or signed or type(plan.terms) is not tuple:
                    refused = self.refusal(plan, None if row is None else Party(*row[:3]), signed)
            if refused is not None:
                report.append((operation_id, plan.line_no, plan.text, 0, refused.message_nl))
                continue
            # Mandates made here are awaiting signature: they never enter `signed`, just as a
            # line's own mandates never conflict with a later line in create_in_context.
            accepted.append(plan)
            report.append((operation_id, plan.line_no, plan.text, 1, None))
        # Ids for the good lines only, in line order: what line-by-line creation would give.
        ids = iter(db.reserve_ids("mandates", len(accepted) * len(codes)) if accepted else ())
        moment, changed_by, (person, party) = self.moment, self.changed_by, self.event_by
        own_name = self.context.own.name
        mandates, events, made = [], [], []
        for plan in accepted:
            other = plan.number
            giver, taker = (own, other) if usual else (other, own)
            giver_name = own_name if usual else parties[other][2]
            language, start, end = plan.terms
            for code in codes:
                next_id = next(ids)
                mandates.append(
                    (
                        next_id,
                        code,
                        giver,
                        giver_name,
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
            self.insert_chunk(mandates, events, report, made)
        except db.Error:  # a rule only the schema holds
            return None
        return len(accepted)

    def chunk_query(self, numbers: str) -> tuple[str, list]:
        """The chunk's one query and its parameters; `numbers`: the counterparties, a JSON list."""
        return self.chunk_sql, [self.own_number, *self.codes, numbers]

    def refusal(self, plan: _Plan, other: Party | None, signed: dict) -> StoreError | None:
        """The first rule the line breaks after its own checks, in create_in_context's order."""
        if other is None:
            return unknown_counterparty(plan.number, plan.counterparty)
        if other.number == self.own_number or other.kind not in self.allowed_kinds:
            try:  # the exact refusal; sides() checks what allowed_kinds summed up
                sides(self.context, other, plan.counterparty)
            except StoreError as refused:
                return refused
        terms = plan.terms
        if type(terms) is not tuple:
            return terms
        if signed:
            _, start, end = terms
            for code in self.codes:
                for mandate_id, m_start, m_end in signed.get((other.number, code), ()):
                    if periods_overlap(m_start, m_end, start, end):
                        return conflict(mandate_id, code, *sides(self.context, other, plan.counterparty))
        return None

    def insert_chunk(self, mandates: list, events: list, report: list, made: list) -> None:
        db = self.db
        db.executemany(
            "INSERT INTO mandates (id, type_code, giver, giver_name, taker, state, signer, start_date, "
            "end_date, reference, language, created_at, changed_by, changed_at) "
            "VALUES (?, ?, ?, ?, ?, 'awaiting', ?, ?, ?, ?, ?, ?, ?, ?)",
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
