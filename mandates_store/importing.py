"""Importing existing mandates (an export of another mandate platform) with their past dates.

Creating, signing and stopping happen today, in this store; an import brings in what happened
elsewhere: each mandate keeps its own dates and state, and its history records one event,
"imported", at the moment of the import, by the operator who ran it, with the source's dates in
its text. The file loads whole or not at all, with the load files' reader and strictness (unknown
keys refused with "did you mean", file/line/field in every refusal), and every store rule that
still applies: known parties with valid numbers, a known type that allows the combination, giver
and taker differ, an end after the start, and at most one signed mandate per type, giver and
taker whose periods overlap (against the store and the file's earlier lines). Only the rules
about today go: a start in the past is the point. Nothing may have happened after today.
"""

from datetime import date, datetime
from pathlib import Path

from mandates_store.database import iso_date, iso_moment
from mandates_store.engines import Database
from mandates_store.errors import InvalidInput
from mandates_store.loaders import _load, _required_date, _text, parse_date
from mandates_store.mandate_types import require_mandate_type
from mandates_store.mandates import check_combination, check_no_conflict, check_terms
from mandates_store.model import ADMINISTRATOR, GIVER, TAKER
from mandates_store.parties import require_party
from mandates_store.status import STATUS_NL, derive_status, parse_status

COLUMNS = frozenset(
    {
        "type",
        "giver",
        "taker",
        "start",
        "end",
        "status",
        "signer",
        "created",
        "signed",
        "stopped",
        "stop_reason",
        "reference",
        "language",
        "source_id",
    }
)


def import_mandates(db: Database, path: str | Path, operator: str, now: datetime) -> list[int]:
    """The new mandates' ids, in file order; nothing is written when one record is refused."""
    operator = (operator or "").strip()
    if not operator:
        raise InvalidInput(
            "an import needs the operator's user name", "een import vraagt de gebruikersnaam", field="admin"
        )
    today, name = now.date(), Path(path).name
    created: list[int] = []

    def add(record: dict) -> None:
        mandate_type = require_mandate_type(db, _text(record, "type", True))
        giver = require_party(db, _text(record, "giver", True), "giver")
        taker = require_party(db, _text(record, "taker", True), "taker")
        if giver.number == taker.number:
            raise InvalidInput(
                "a party cannot be both giver and taker of one mandate",
                "Een partij kan niet tegelijk mandaatgever en mandaatnemer zijn.",
                field="taker",
            )
        check_combination(mandate_type, giver, taker)
        start = _required_date(record, "start")
        # the start itself as "today": a new mandate's not-in-the-past rule does not apply here
        language, start, end = check_terms(
            _text(record, "language"), start, parse_date(record.get("end"), "end"), start
        )
        status = parse_status(_text(record, "status", True))
        state = _state(status)
        dates = _dates(record, state, today)
        derived = derive_status(state, start, end, today)
        if derived != status:
            raise InvalidInput(
                f"status {status} does not fit the dates: on {today} this mandate is {derived}",
                f"status {STATUS_NL[status]} past niet bij de datums: op {today:%d/%m/%Y} is dit mandaat "
                f"{STATUS_NL[derived]}",
                field="status",
            )
        signer_side = (_text(record, "signer") or TAKER).lower()
        if signer_side not in (GIVER, TAKER):
            raise InvalidInput("signer must be giver or taker", "signer moet giver of taker zijn", field="signer")
        if state == "signed":
            check_no_conflict(db, mandate_type.code, giver, taker, start, end, today)
        moment = iso_moment(now)
        mandate_id = db.execute(
            "INSERT INTO mandates (type_code, giver, giver_name, taker, state, signer, start_date, end_date, "
            "reference, language, created_at, signed_at, stopped_at, stop_reason, changed_by, changed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                mandate_type.code,
                giver.number,
                giver.name,
                taker.number,
                state,
                (giver if signer_side == GIVER else taker).number,
                iso_date(start),
                iso_date(end),
                _text(record, "reference"),
                language,
                iso_moment(_noon(dates["created"])),
                dates["signed"] and iso_moment(_noon(dates["signed"])),
                dates["stopped"] and iso_moment(_noon(dates["stopped"])),
                _text(record, "stop_reason"),
                ADMINISTRATOR,
                moment,
            ],
        ).fetchone()[0]
        db.execute(
            "INSERT INTO mandate_events (mandate_id, at, event, role, person, party, detail) "
            "VALUES (?, ?, 'imported', ?, ?, NULL, ?)",
            [mandate_id, moment, ADMINISTRATOR, operator, _detail(name, record, dates)],
        )
        created.append(mandate_id)

    _load(db, path, add, COLUMNS)
    return created


def _state(status: str) -> str:
    if status == "stopped":
        return "stopped"
    return "awaiting" if status == "awaiting_signature" else "signed"


def _dates(record: dict, state: str, today: date) -> dict[str, date | None]:
    """created, signed and stopped, in that order, none after today; each present as the state needs."""
    dates = {
        "created": _required_date(record, "created"),
        "signed": parse_date(record.get("signed"), "signed"),
        "stopped": parse_date(record.get("stopped"), "stopped"),
    }
    if state == "signed" and dates["signed"] is None:
        raise InvalidInput("signed is required for a signed mandate", "signed is verplicht", field="signed")
    if state != "stopped" and dates["stopped"] is not None:
        raise InvalidInput("stopped is only for a stopped mandate", "stopped enkel bij Stopgezet", field="stopped")
    if state == "stopped" and dates["stopped"] is None:
        raise InvalidInput("stopped is required for a stopped mandate", "stopped is verplicht", field="stopped")
    if state == "awaiting" and dates["signed"] is not None:
        raise InvalidInput(
            "an unsigned mandate has no signed date", "een niet-getekend mandaat heeft geen signed", field="signed"
        )
    previous, previous_field = None, None
    for field, day in dates.items():
        if day is None:
            continue
        if day > today:
            raise InvalidInput(
                f"{field} {day} lies after today {today}: an import brings in what already happened",
                f"{field} {day:%d/%m/%Y} ligt na vandaag: een import brengt enkel binnen wat al gebeurde",
                field=field,
                value=day,
            )
        if previous is not None and day < previous:
            raise InvalidInput(
                f"{field} {day} lies before {previous_field} {previous}",
                f"{field} {day:%d/%m/%Y} ligt voor {previous_field} {previous:%d/%m/%Y}",
                field=field,
                value=day,
            )
        previous, previous_field = day, field
    return dates


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12)


def _detail(name: str, record: dict, dates: dict[str, date | None]) -> str:
    """The history's words for what happened at the source, in Dutch like the rest of it."""
    words = {"created": "aangemaakt", "signed": "getekend", "stopped": "stopgezet"}
    happened = ", ".join(f"{words[field]} op {day:%d/%m/%Y}" for field, day in dates.items() if day is not None)
    source = _text(record, "source_id")
    reason = _text(record, "stop_reason")
    text = f"uit {name}" + (f" (bron: {source})" if source else "") + f"; {happened} op het bronplatform"
    return text + (f" (reden: {reason})" if reason else "")
