"""Signing, stopping and transferring a mandate: only the counterparty signs, either side stops at
once, a transfer waits for the new taker's signature. The conflict rule is checked as at creation
(mandates.check_no_conflict, inside the write transaction)."""

from datetime import datetime

from mandates_store import identifiers
from mandates_store.authority import check_may_manage
from mandates_store.database import iso_date, iso_moment, write
from mandates_store.engines import Database
from mandates_store.errors import InvalidInput, NotAllowed
from mandates_store.mandate_types import require_mandate_type
from mandates_store.mandates import check_combination, check_no_conflict, get_mandate, record_event
from mandates_store.model import ADMINISTRATOR, GIVER, TAKER, Actor, Mandate, Party
from mandates_store.parties import require_party
from mandates_store.status import ACTIVE, AWAITING_SIGNATURE, FUTURE_START


def sign_mandate(
    db: Database, actor: Actor, mandate_id: int, *, now: datetime, accept_contract: bool = False
) -> Mandate:
    try:
        return _sign(db, actor, mandate_id, now, accept_contract)
    except db.IntegrityError:
        # A concurrent signing won the race past the check (PostgreSQL below SERIALIZABLE):
        # the schema refused this one; name the winner as the check would have.
        if db.in_transaction:
            raise
        mandate = get_mandate(db, mandate_id, now.date())
        check_no_conflict(
            db,
            mandate.type_code,
            mandate.giver,
            mandate.taker,
            mandate.start_date,
            mandate.end_date,
            now.date(),
            ignore_id=mandate.id,
        )
        raise


def _sign(db: Database, actor: Actor, mandate_id: int, now: datetime, accept_contract: bool) -> Mandate:
    today = now.date()
    with write(db):
        mandate = get_mandate(db, mandate_id, today)
        if mandate.status != AWAITING_SIGNATURE:
            raise NotAllowed(
                f"mandate {mandate.id} is {mandate.status}, not awaiting signature",
                f"Mandaat {mandate.id} wacht niet op ondertekening ({mandate.status_nl}).",
                field="mandate",
                value=mandate.id,
            )
        if actor.party is None or identifiers.party_number(actor.party, "own party")[0] != mandate.signer:
            raise NotAllowed(
                f"only the counterparty {mandate.signer} can sign mandate {mandate.id}",
                f"Enkel de tegenpartij {mandate.signer} kan mandaat {mandate.id} ondertekenen.",
                field="own party",
                value=actor.party,
            )
        signer = mandate.giver if mandate.signer == mandate.giver.number else mandate.taker
        check_may_manage(db, actor, signer, today)
        if not accept_contract:
            raise NotAllowed(
                "the contract text must be accepted",
                "Je moet de voorwaarden van het mandaat aanvaarden.",
                field="contract",
            )
        check_no_conflict(
            db,
            mandate.type_code,
            mandate.giver,
            mandate.taker,
            mandate.start_date,
            mandate.end_date,
            today,
            ignore_id=mandate.id,
        )
        role = _role(actor, mandate)
        if mandate.transfer_of is not None:
            _finish_transfer(db, actor, mandate, now)
        db.execute(
            "UPDATE mandates SET state = 'signed', signed_at = ?, changed_by = ?, changed_at = ? WHERE id = ?",
            [iso_moment(now), role, iso_moment(now), mandate.id],
        )
        record_event(db, mandate.id, now, "signed", actor, role)
    return get_mandate(db, mandate_id, today)


def _finish_transfer(db: Database, actor: Actor, new: Mandate, now: datetime) -> None:
    old = get_mandate(db, new.transfer_of, now.date())
    if old.state != "signed":
        return  # stopped in the meantime: the new mandate simply starts on its own
    reason = f"Overgedragen aan {new.taker.label} (mandaat {new.id})"
    # changed_by stays the side that asked for the transfer; the new taker is no side of it.
    db.execute(
        "UPDATE mandates SET state = 'stopped', stopped_at = ?, stop_reason = ?, changed_at = ? WHERE id = ?",
        [iso_moment(now), reason, iso_moment(now), old.id],
    )
    record_event(db, old.id, now, "transferred", actor, "system", detail=reason)


def stop_mandate(db: Database, actor: Actor, mandate_id: int, *, now: datetime, reason: str | None = None) -> Mandate:
    today = now.date()
    with write(db):
        mandate = get_mandate(db, mandate_id, today)
        if mandate.status not in (AWAITING_SIGNATURE, ACTIVE, FUTURE_START):
            raise NotAllowed(
                f"mandate {mandate.id} is already {mandate.status}",
                f"Mandaat {mandate.id} is al {mandate.status_nl.lower()}.",
                field="mandate",
                value=mandate.id,
            )
        own = _own_side(actor, mandate)
        check_may_manage(db, actor, own, today)
        role = _role(actor, mandate)
        reason = (reason or "").strip() or None
        db.execute(
            "UPDATE mandates SET state = 'stopped', stopped_at = ?, stop_reason = ?, "
            "changed_by = ?, changed_at = ? WHERE id = ?",
            [iso_moment(now), reason, role, iso_moment(now), mandate.id],
        )
        record_event(db, mandate.id, now, "stopped", actor, role, detail=reason)
    return get_mandate(db, mandate_id, today)


def transfer_mandate(db: Database, actor: Actor, mandate_id: int, new_taker: str, *, now: datetime) -> Mandate:
    """Propose the mandate to a new taker: a new mandate awaiting the new taker's signature;
    signing it stops the old one in the same transaction."""
    today = now.date()
    with write(db):
        old = get_mandate(db, mandate_id, today)
        if old.status not in (ACTIVE, FUTURE_START):
            raise NotAllowed(
                f"only an active mandate can be transferred; {old.id} is {old.status}",
                f"Enkel een actief mandaat kan overgedragen worden; mandaat {old.id} is {old.status_nl.lower()}.",
                field="mandate",
                value=old.id,
            )
        own = _own_side(actor, old)
        check_may_manage(db, actor, own, today)
        taker = require_party(db, new_taker, "new taker")
        if taker.number in (old.giver.number, old.taker.number):
            raise InvalidInput(
                "the new taker must differ from the giver and the current taker",
                "De nieuwe mandaatnemer moet verschillen van de mandaatgever en de huidige mandaatnemer.",
                field="new taker",
                value=new_taker,
            )
        check_combination(require_mandate_type(db, old.type_code), old.giver, taker)
        pending = db.execute(
            "SELECT id FROM mandates WHERE transfer_of = ? AND state = 'awaiting'", [old.id]
        ).fetchone()
        if pending:
            raise NotAllowed(
                f"mandate {old.id} already awaits transfer as mandate {pending[0]}",
                f"Mandaat {old.id} wacht al op overdracht (mandaat {pending[0]}).",
                field="mandate",
                value=old.id,
            )
        start = max(today, old.start_date)
        check_no_conflict(db, old.type_code, old.giver, taker, start, old.end_date, today)
        role = _role(actor, old)
        new_id = db.insert(
            "mandates",
            {
                "type_code": old.type_code,
                "giver": old.giver.number,
                "giver_name": old.giver.name,
                "taker": taker.number,
                "state": "awaiting",
                "signer": taker.number,
                "start_date": iso_date(start),
                "end_date": iso_date(old.end_date),
                "reference": old.reference,
                "language": old.language,
                "created_at": iso_moment(now),
                "changed_by": role,
                "changed_at": iso_moment(now),
                "transfer_of": old.id,
            },
        )
        record_event(db, new_id, now, "created", actor, role, detail=f"Overdracht van mandaat {old.id}")
        db.execute("UPDATE mandates SET changed_by = ?, changed_at = ? WHERE id = ?", [role, iso_moment(now), old.id])
        record_event(
            db,
            old.id,
            now,
            "transfer_requested",
            actor,
            role,
            detail=f"Overdracht aan {taker.label} (mandaat {new_id})",
        )
    return get_mandate(db, new_id, today)


def _own_side(actor: Actor, mandate: Mandate) -> Party:
    number = identifiers.party_number(actor.party, "own party")[0]
    for side in (mandate.giver, mandate.taker):
        if side.number == number:
            return side
    raise NotAllowed(
        f"{number} is neither giver nor taker of mandate {mandate.id}",
        f"{number} is geen mandaatgever of mandaatnemer van mandaat {mandate.id}.",
        field="own party",
        value=actor.party,
    )


def _role(actor: Actor, mandate: Mandate) -> str:
    if actor.administrator:
        return ADMINISTRATOR
    return GIVER if _own_side(actor, mandate) == mandate.giver else TAKER
