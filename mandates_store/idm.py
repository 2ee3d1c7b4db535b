"""IDM: work relationships and user rights of persons inside organisations.

A right lives inside a work relationship: granting one needs a relationship with that
organisation overlapping the right's period, and at login both must hold on the day.
SSM Mandaatuitvoerder needs one or more mandate types as context and may, one step past the
seeds, be narrowed to a list of givers (no list: every giver).
"""

from collections.abc import Iterable
from datetime import date

from mandates_store.database import iso_date, to_date, write
from mandates_store.engines import Database
from mandates_store.errors import InvalidInput, UnknownEntity
from mandates_store.mandate_types import require_mandate_type
from mandates_store.model import MANDAATBEHEERDER, MANDAATUITVOERDER, ORGANISATION, PERSON, UserRight, WorkRelationship
from mandates_store.parties import require_party
from mandates_store.validity import check_period, holds_on, overlaps


def add_work_relationship(
    db: Database, person: str, organisation: str, valid_from: date, valid_until: date | None = None
) -> WorkRelationship:
    who = require_party(db, person, "person", PERSON)
    where = require_party(db, organisation, "organisation", ORGANISATION)
    check_period(valid_from, valid_until, "work relationship", "werkrelatie")
    with write(db):
        row_id = db.insert(
            "work_relationships",
            {
                "person": who.number,
                "organisation": where.number,
                "valid_from": iso_date(valid_from),
                "valid_until": iso_date(valid_until),
            },
        )
    return WorkRelationship(row_id, who.number, where.number, valid_from, valid_until)


def work_relationships_of(db: Database, person: str) -> list[WorkRelationship]:
    rows = db.execute(
        "SELECT id, person, organisation, valid_from, valid_until FROM work_relationships WHERE person = ? ORDER BY id",
        [person],
    )
    return [WorkRelationship(i, p, o, to_date(f), to_date(u)) for i, p, o, f, u in rows]


def grant_right(
    db: Database,
    person: str,
    organisation: str,
    name: str,
    valid_from: date,
    valid_until: date | None = None,
    *,
    mandate_types: Iterable[str] = (),
    givers: Iterable[str] | None = None,
) -> UserRight:
    who = require_party(db, person, "person", PERSON)
    where = require_party(db, organisation, "organisation", ORGANISATION)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("right name is required", "naam van het recht is verplicht", field="right")
    check_period(valid_from, valid_until, f"right {name}", f"recht {name}")
    types = sorted({require_mandate_type(db, code).code for code in mandate_types})
    giver_numbers = None if givers is None else sorted({require_party(db, g, "giver").number for g in givers})
    if name == MANDAATUITVOERDER and not types:
        raise InvalidInput(
            f"{MANDAATUITVOERDER} needs at least one mandate type as context",
            f"{MANDAATUITVOERDER} vereist minstens één mandaattype als context",
            field="mandate types",
        )
    if name != MANDAATUITVOERDER and (types or giver_numbers is not None):
        raise InvalidInput(
            f"only {MANDAATUITVOERDER} takes mandate types and givers; '{name}' takes none",
            f"enkel {MANDAATUITVOERDER} heeft mandaattypes en mandaatgevers",
            field="mandate types",
        )
    if giver_numbers is not None and not giver_numbers:
        raise InvalidInput(
            "a list of givers, when given, may not be empty",
            "een lijst van mandaatgevers mag niet leeg zijn",
            field="givers",
        )
    if not any(
        overlaps(r.valid_from, r.valid_until, valid_from, valid_until)
        for r in work_relationships_of(db, who.number)
        if r.organisation == where.number
    ):
        raise InvalidInput(
            f"{who.number} has no work relationship with {where.number} during the right's period",
            f"{who.number} heeft geen werkrelatie met {where.number} in de periode van het recht",
            field="organisation",
            value=where.number,
        )
    with write(db):
        right_id = db.insert(
            "user_rights",
            {
                "person": who.number,
                "organisation": where.number,
                "name": name,
                "valid_from": iso_date(valid_from),
                "valid_until": iso_date(valid_until),
            },
        )
        db.insert_many("user_right_mandate_types", [{"right_id": right_id, "type_code": code} for code in types])
        db.insert_many("user_right_givers", [{"right_id": right_id, "giver": giver} for giver in giver_numbers or ()])
    return UserRight(
        right_id,
        who.number,
        where.number,
        name,
        valid_from,
        valid_until,
        frozenset(types),
        None if giver_numbers is None else frozenset(giver_numbers),
    )


def end_right(db: Database, right_id: int, until: date) -> None:
    row = db.execute("SELECT valid_from FROM user_rights WHERE id = ?", [right_id]).fetchone()
    if row is None:
        raise UnknownEntity(f"unknown right {right_id}", f"onbekend recht {right_id}", field="right", value=right_id)
    check_period(to_date(row[0]), until, "right", "recht")
    with write(db):
        db.execute("UPDATE user_rights SET valid_until = ? WHERE id = ?", [iso_date(until), right_id])


def end_work_relationship(db: Database, relationship_id: int, until: date) -> None:
    row = db.execute("SELECT valid_from FROM work_relationships WHERE id = ?", [relationship_id]).fetchone()
    if row is None:
        raise UnknownEntity(
            f"unknown work relationship {relationship_id}",
            f"onbekende werkrelatie {relationship_id}",
            field="work relationship",
            value=relationship_id,
        )
    check_period(to_date(row[0]), until, "work relationship", "werkrelatie")
    with write(db):
        db.execute("UPDATE work_relationships SET valid_until = ? WHERE id = ?", [iso_date(until), relationship_id])


def rights_of(db: Database, person: str) -> list[UserRight]:
    rows = db.execute(
        "SELECT id, person, organisation, name, valid_from, valid_until FROM user_rights WHERE person = ? ORDER BY id",
        [person],
    ).fetchall()
    rights = []
    for right_id, who, org, name, valid_from, valid_until in rows:
        types = frozenset(
            r[0] for r in db.execute("SELECT type_code FROM user_right_mandate_types WHERE right_id = ?", [right_id])
        )
        givers = None
        if name == MANDAATUITVOERDER:
            listed = [r[0] for r in db.execute("SELECT giver FROM user_right_givers WHERE right_id = ?", [right_id])]
            givers = frozenset(listed) if listed else None
        rights.append(UserRight(right_id, who, org, name, to_date(valid_from), to_date(valid_until), types, givers))
    return rights


def employed_on(db: Database, person: str, organisation: str, day: date) -> bool:
    return any(
        r.organisation == organisation and holds_on(r.valid_from, r.valid_until, day)
        for r in work_relationships_of(db, person)
    )


def holds_right_on(db: Database, person: str, organisation: str, name: str, day: date) -> bool:
    """A right counts only on a day its own period and a work relationship both hold."""
    return employed_on(db, person, organisation, day) and any(
        r.organisation == organisation and r.name == name and holds_on(r.valid_from, r.valid_until, day)
        for r in rights_of(db, person)
    )


__all__ = [
    "MANDAATBEHEERDER",
    "MANDAATUITVOERDER",
    "add_work_relationship",
    "grant_right",
    "end_right",
    "end_work_relationship",
    "rights_of",
    "work_relationships_of",
    "employed_on",
    "holds_right_on",
]
