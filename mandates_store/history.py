"""A mandate's history as the seeds show it: stored events plus the dated status changes
("Actief", "Startdatum in de toekomst", "Vervallen") that follow from its dates."""

from datetime import date

from mandates_store.database import to_moment
from mandates_store.engines import Database
from mandates_store.mandates import get_mandate
from mandates_store.model import HistoryEntry, Party

_TEXT_NL = {
    "created": "Aangemaakt door {who}",
    "signed": "Getekend door {who}",
    "stopped": "Stopgezet door {who}",
    "transfer_requested": "Overdracht gevraagd door {who}",
    "transferred": "Overgedragen",
    "imported": "Geïmporteerd door {who}",
}


def mandate_history(db: Database, mandate_id: int, day: date) -> list[HistoryEntry]:
    mandate = get_mandate(db, mandate_id, day)
    rows = db.execute(
        "SELECT e.at, e.event, e.role, e.person, e.party, e.detail, p.name, p.kind, a.name "
        "FROM mandate_events e LEFT JOIN parties p ON p.number = e.party "
        "LEFT JOIN parties a ON a.number = e.person WHERE e.mandate_id = ? ORDER BY e.id",
        [mandate.id],
    ).fetchall()
    entries = []
    for at, event, role, person, party, detail, party_name, party_kind, person_name in rows:
        who = person_name or person or "?"
        if role == "administrator":
            who = f"{who} (beheerder)"
        elif party_name and party != person:
            who = f"{who} ({party_name})"
        text = _TEXT_NL[event].format(who=who)
        if detail:
            text = f"{text}: {detail}"
        entries.append(
            HistoryEntry(
                to_moment(at).date(),
                event,
                text,
                person,
                Party(party, party_kind, party_name) if party_name else None,
                role,
                detail,
            )
        )
    if mandate.signed_at is not None:
        signed = mandate.signed_at.date()
        if mandate.start_date > signed:
            entries.append(HistoryEntry(signed, "future_start", "Startdatum in de toekomst"))
        became_active = max(signed, mandate.start_date)
        stopped = mandate.stopped_at.date() if mandate.stopped_at else None
        if (
            became_active <= day
            and (stopped is None or became_active < stopped)
            and (mandate.end_date is None or became_active < mandate.end_date)
        ):
            entries.append(HistoryEntry(became_active, "active", "Actief"))
    if mandate.end_date is not None and mandate.end_date <= day and mandate.stopped_at is None:
        entries.append(HistoryEntry(mandate.end_date, "expired", "Vervallen"))
    return sorted(entries, key=lambda e: e.at)  # stable: same-day entries keep their order
