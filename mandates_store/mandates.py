"""A mandate's life: reading and creating (either side) here, with the checks every change shares;
sign, stop and transfer in mandate_changes; expiry derived from the end date.

The conflict rule - at most one active mandate per (type, giver, taker) - is checked inside the
write transaction, so two writers cannot both pass it; a schema trigger backs it up.
"Active" here includes signed mandates whose start lies in the future: two signed mandates of
one type between one pair may not overlap in time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from mandates_store import identifiers
from mandates_store.authority import check_may_manage
from mandates_store.database import iso_date, iso_moment, to_date, to_moment, write
from mandates_store.engines import Database
from mandates_store.errors import Conflict, InvalidInput, NotAllowed, UnknownEntity
from mandates_store.mandate_types import check_combinable, require_mandate_type
from mandates_store.model import ADMINISTRATOR, GIVER, LANGUAGES, TAKER, Actor, Mandate, MandateType, Party
from mandates_store.parties import require_party
from mandates_store.schema import conflict_rule
from mandates_store.status import derive_status

KIND_NL = {"person": "individu", "organisation": "onderneming"}
_CONFLICTING = conflict_rule(":")  # the candidate's columns as named parameters

_SELECT = """
    SELECT m.id, m.type_code, g.number, g.kind, g.name, t.number, t.kind, t.name, m.state,
           m.signer, m.start_date, m.end_date, m.reference, m.language, m.created_at,
           m.signed_at, m.stopped_at, m.stop_reason, m.changed_by, m.changed_at, m.transfer_of
    FROM mandates m JOIN parties g ON g.number = m.giver JOIN parties t ON t.number = m.taker
"""


def mandate_from_row(row: tuple, day: date) -> Mandate:
    (
        mandate_id,
        type_code,
        g_nr,
        g_kind,
        g_name,
        t_nr,
        t_kind,
        t_name,
        state,
        signer,
        start,
        end,
        reference,
        language,
        created,
        signed,
        stopped,
        reason,
        changed_by,
        changed_at,
        transfer_of,
    ) = row
    start_date, end_date = to_date(start), to_date(end)
    return Mandate(
        mandate_id,
        type_code,
        Party(g_nr, g_kind, g_name),
        Party(t_nr, t_kind, t_name),
        state,
        derive_status(state, start_date, end_date, day),
        signer,
        start_date,
        end_date,
        reference,
        language,
        to_moment(created),
        to_moment(signed),
        to_moment(stopped),
        reason,
        changed_by,
        to_moment(changed_at),
        transfer_of,
    )


def get_mandate(db: Database, mandate_id: int, day: date) -> Mandate:
    row = db.execute(_SELECT + " WHERE m.id = ?", [int(mandate_id)]).fetchone()
    if row is None:
        raise UnknownEntity(
            f"mandate {mandate_id} does not exist",
            f"mandaat {mandate_id} bestaat niet",
            field="mandate",
            value=mandate_id,
        )
    return mandate_from_row(row, day)


def select_mandates(
    db: Database, where: str, params: list, day: date, order: str = "m.id", limit: int | None = None
) -> list[Mandate]:
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    rows = db.execute(f"{_SELECT} WHERE {where} ORDER BY {order}{tail}", params).fetchall()
    return [mandate_from_row(row, day) for row in rows]


# --- create -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateContext:
    """What is fixed for one creation or one whole bulk file: who, which role, which types."""

    actor: Actor
    role: str
    own: Party
    types: tuple[MandateType, ...]

    @property
    def changed_by(self) -> str:
        return ADMINISTRATOR if self.actor.administrator else self.role


def prepare_create(db: Database, actor: Actor, role: str, types: Iterable[str], today: date) -> CreateContext:
    if role not in (GIVER, TAKER):
        raise InvalidInput(
            f"role must be giver or taker, not '{role}'",
            f"rol moet mandaatgever of mandaatnemer zijn, niet '{role}'",
            field="role",
            value=role,
        )
    mandate_types = _types(db, types)
    own = require_party(db, actor.party, "own party")
    check_may_manage(db, actor, own, today)
    return CreateContext(actor, role, own, tuple(mandate_types))


def create_mandates(
    db: Database,
    actor: Actor,
    *,
    role: str,
    counterparty: str,
    types: Iterable[str],
    now: datetime,
    start: date | None = None,
    end: date | None = None,
    reference: str | None = None,
    language: str | None = "nl",
    accept_contract: bool = False,
) -> list[Mandate]:
    """One mandate per type, all or none; each awaits the counterparty's signature."""
    context = prepare_create(db, actor, role, types, now.date())
    created = create_in_context(
        db,
        context,
        counterparty=counterparty,
        now=now,
        start=start,
        end=end,
        reference=reference,
        language=language,
        accept_contract=accept_contract,
    )
    return [get_mandate(db, mandate_id, now.date()) for mandate_id in created]


def create_in_context(
    db: Database,
    context: CreateContext,
    *,
    counterparty: str,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
    reference: str | None = None,
    language: str | None = "nl",
    accept_contract: bool = False,
) -> list[int]:
    """Check the per-mandate rules and insert; returns the new ids (one per type).

    The checks run in this order (the first refusal is the reason a bulk report shows), and
    bulk.py's batched import calls the same functions in the same order."""
    today = now.date()
    other = require_counterparty(db, counterparty)
    giver, taker = sides(context, other, counterparty)
    language, start, end = check_terms(language, start, end, today)
    if not accept_contract:
        raise NotAllowed(
            "the contract text must be accepted", "Je moet de voorwaarden van het mandaat aanvaarden.", field="contract"
        )
    reference = (reference or "").strip() or None
    moment = iso_moment(now)
    created = []
    with write(db):
        for mandate_type in context.types:
            check_no_conflict(db, mandate_type.code, giver, taker, start, end, today)
            # Plain SQL rather than table.insert(): this runs once per bulk line.
            mandate_id = db.execute(
                "INSERT INTO mandates (type_code, giver, giver_name, taker, state, signer, start_date, "
                "end_date, reference, language, created_at, changed_by, changed_at) "
                "VALUES (?, ?, ?, ?, 'awaiting', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    mandate_type.code,
                    giver.number,
                    giver.name,
                    taker.number,
                    other.number,
                    iso_date(start),
                    iso_date(end),
                    reference,
                    language,
                    moment,
                    context.changed_by,
                    moment,
                ],
            ).fetchone()[0]
            record_event(db, mandate_id, now, "created", context.actor, context.changed_by)
            created.append(mandate_id)
    return created


def counterparty_number(counterparty: str) -> str:
    return identifiers.party_number(counterparty, "counterparty")[0]


def unknown_counterparty(number: str, counterparty: str) -> UnknownEntity:
    return UnknownEntity(
        f"counterparty {number} is not known",
        f"De tegenpartij {number} is niet gekend.",
        field="counterparty",
        value=counterparty,
    )


def require_counterparty(db: Database, counterparty: str) -> Party:
    number = counterparty_number(counterparty)
    row = db.execute("SELECT number, kind, name FROM parties WHERE number = ?", [number]).fetchone()
    if row is None:
        raise unknown_counterparty(number, counterparty)
    return Party(*row)


def sides(context: CreateContext, other: Party, counterparty: str) -> tuple[Party, Party]:
    """(giver, taker) of a mandate with this counterparty; refused when the counterparty is the
    creating party itself or a type does not allow the combination."""
    own = context.own
    if other.number == own.number:
        raise InvalidInput(
            "a party cannot be both giver and taker of one mandate",
            "Een partij kan niet tegelijk mandaatgever en mandaatnemer zijn.",
            field="counterparty",
            value=counterparty,
        )
    giver, taker = (own, other) if context.role == GIVER else (other, own)
    for mandate_type in context.types:
        check_combination(mandate_type, giver, taker)
    return giver, taker


def check_terms(
    language: str | None, start: date | None, end: date | None, today: date
) -> tuple[str, date, date | None]:
    """The language (default nl), start (default today, not in the past) and end (after the
    start) of a new mandate."""
    language = (language or "nl").strip().lower() or "nl"
    if language not in LANGUAGES:
        raise InvalidInput(
            f"language must be nl, fr, de or en, not '{language}'",
            f"De taal moet nl, fr, de of en zijn, niet '{language}'.",
            field="language",
            value=language,
        )
    start = start or today
    if start < today:
        raise InvalidInput(
            f"the start date {start} lies before today {today}",
            "De begindatum moet groter of gelijk zijn aan de datum van vandaag.",
            field="start date",
            value=start,
        )
    if end is not None and end <= start:
        raise InvalidInput(
            f"the end date {end} must come after the start date {start}",
            "De einddatum moet groter zijn dan de begindatum.",
            field="end date",
            value=end,
        )
    return language, start, end


def _types(db: Database, codes: Iterable[str]) -> list[MandateType]:
    codes = list(dict.fromkeys(c.strip() for c in ([codes] if isinstance(codes, str) else codes)))
    if not codes:
        raise InvalidInput("choose at least one mandate type", "Kies minstens één mandaattype.", field="mandate type")
    found = [require_mandate_type(db, code) for code in codes]
    check_combinable(found)
    return found


def check_combination(mandate_type: MandateType, giver: Party, taker: Party) -> None:
    if (giver.kind, taker.kind) not in mandate_type.combinations:
        raise InvalidInput(
            f"mandate type '{mandate_type.code}' does not allow a {giver.kind} giving a mandate to a {taker.kind}",
            f"Het mandaattype '{mandate_type.code}' laat de combinatie {KIND_NL[giver.kind]} → "
            f"{KIND_NL[taker.kind]} niet toe.",
            field="counterparty",
            value=mandate_type.code,
        )


def check_no_conflict(
    db: Database,
    type_code: str,
    giver: Party,
    taker: Party,
    start: date,
    end: date | None,
    today: date,
    ignore_id: int | None = None,
) -> None:
    row = db.execute(
        f"SELECT m.id FROM mandates m WHERE {_CONFLICTING} AND m.id <> coalesce(:ignore_id, 0) ORDER BY m.id LIMIT 1",
        {
            "giver": giver.number,
            "taker": taker.number,
            "type_code": type_code,
            "start_date": iso_date(start),
            "end_date": iso_date(end),
            "ignore_id": ignore_id,
        },
    ).fetchone()
    if row:
        raise conflict(row[0], type_code, giver, taker)


def conflict(existing_id: int, type_code: str, giver: Party, taker: Party) -> Conflict:
    return Conflict(
        f"conflict: mandate {existing_id} ({type_code}) from {giver.label} to {taker.label} is "
        f"already active; stop it first",
        f"Conflict met het bestaande mandaat {existing_id} ({type_code}) tussen {giver.label} en "
        f"{taker.label}: binnen hetzelfde mandaattype en dezelfde mandaatgever/mandaatnemer "
        f"kan er maar één actief mandaat bestaan. Zet het bestaande mandaat eerst stop.",
        existing_id=existing_id,
    )


def record_event(
    db: Database,
    mandate_id: int,
    now: datetime,
    event: str,
    actor: Actor,
    role: str,
    detail: str | None = None,
) -> None:
    db.execute(
        "INSERT INTO mandate_events (mandate_id, at, event, role, person, party, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            mandate_id,
            iso_moment(now),
            event,
            role,
            actor.person,
            identifiers.party_number(actor.party, "own party")[0] if actor.party else None,
            detail,
        ],
    )
