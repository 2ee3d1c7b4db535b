"""Bulk sign and stop over a search result, and the operation's bookkeeping: start, claim, record, finish."""

from dataclasses import replace
from datetime import date, datetime

from mandates_store.bulk.model import SIGN, STOP, BulkReport
from mandates_store.bulk.operations import finish_operation, record_line, start_operation
from mandates_store.bulk.reports import bulk_report
from mandates_store.database import write
from mandates_store.engines import Database
from mandates_store.errors import NotAllowed, StoreError
from mandates_store.mandate_changes import sign_mandate, stop_mandate
from mandates_store.model import Actor
from mandates_store.search import MandateSearch, search_mandates
from mandates_store.status import ACTIVE, AWAITING_SIGNATURE


def bulk_sign(
    db: Database,
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
    db: Database,
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


def preview(db: Database, actor: Actor, search: MandateSearch, kind: str, day: date) -> list:
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
    operation_id = start_operation(db, kind, actor, None, None, None, now)
    ok = failed = 0
    for line_no, mandate in enumerate(sorted(found, key=lambda m: m.id), 1):
        text = f"{mandate.id};{mandate.type_code};{mandate.giver.number};{mandate.taker.number}"
        try:
            with write(db):
                act(mandate.id)
                record_line(db, operation_id, line_no, text, (mandate.id,), None)
            ok += 1
        except StoreError as refused:
            with write(db):
                record_line(db, operation_id, line_no, text, (mandate.id,), refused.message_nl)
            failed += 1
    finish_operation(db, operation_id, ok, failed, now)
    return bulk_report(db, operation_id)
