"""Gebruikersbeheer's history: every change a local administrator makes to work relationships and
rights, in the append-only idm_events table (store migration 7), readable per organisation and per
person."""

from dataclasses import dataclass
from datetime import datetime

from mandates_store.database import iso_moment, to_moment
from mandates_store.engines import Database
from mandates_store.model import Actor


@dataclass(frozen=True)
class IdmEvent:
    id: int
    at: datetime
    actor: str
    actor_name: str
    actor_party: str
    actor_party_name: str
    organisation: str
    person: str
    person_name: str
    event: str  # relationship_added, relationship_ended, right_granted, right_ended
    right_name: str | None
    detail: str | None


def record(db, actor: Actor, organisation: str, person: str, event: str, now: datetime, right=None, detail=None):
    db.insert(
        "idm_events",
        {
            "at": iso_moment(now),
            "actor": actor.person,
            "actor_party": actor.party,
            "organisation": organisation,
            "person": person,
            "event": event,
            "right_name": right,
            "detail": detail,
        },
    )


def events(db: Database, organisation: str, person: str | None = None) -> list[IdmEvent]:
    """The organisation's Gebruikersbeheer history, newest first; `person`: only theirs."""
    sql = (
        "SELECT e.id, e.at, e.actor, a.name, e.actor_party, o.name, e.organisation, e.person, p.name, e.event, "
        "e.right_name, e.detail FROM idm_events e LEFT JOIN parties a ON a.number = e.actor "
        "LEFT JOIN parties o ON o.number = e.actor_party LEFT JOIN parties p ON p.number = e.person "
        "WHERE e.organisation = ?"
    )
    values = [organisation]
    if person is not None:
        sql += " AND e.person = ?"
        values.append(person)
    rows = db.execute(sql + " ORDER BY e.at DESC, e.id DESC", values).fetchall()
    return [
        IdmEvent(
            i, to_moment(at), who, who_name or "", party, party_name or "", org, p, p_name or "", ev, right, detail
        )
        for i, at, who, who_name, party, party_name, org, p, p_name, ev, right, detail in rows
    ]
