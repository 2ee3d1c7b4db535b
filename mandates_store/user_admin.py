"""Gebruikersbeheer (seed 000 chapter 1): local administrators manage their organisation's people.

Who may administer an organisation: a person holding "Lokale beheerder" or "Hoofd lokale
beheerder" there (inside a valid work relationship), or its KBO legal representative, who counts
as a head. Both give and end work relationships, SSM Mandaatbeheerder and SSM Mandaatuitvoerder;
only a head gives or ends "Lokale beheerder". "Hoofd lokale beheerder" itself is appointed outside
(the operator's `broker store grant`), as the seeds' procedure 1.1 is.

Every write checks the actor's standing again inside its transaction and records an idm_events
row (who, on behalf of which organisation, when). Reading or changing a person, relationship or
right of another organisation raises UnknownEntity, exactly as for one that does not exist.
Ending sets the exclusive end to today, so the very next login no longer counts it; a right or
relationship that had not begun yet gets an empty period (end = begin).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from mandates_store import identifiers, idm
from mandates_store.database import iso_date, to_date, write
from mandates_store.engines import Database
from mandates_store.errors import InvalidIdentifier, InvalidInput, NotAllowed, UnknownEntity
from mandates_store.idm_history import IdmEvent, events, record
from mandates_store.kbo import represents_on
from mandates_store.mandate_types import types_for
from mandates_store.model import (
    MANDAATBEHEERDER,
    MANDAATUITVOERDER,
    ORGANISATION,
    PERSON,
    Actor,
    MandateType,
    Party,
    UserRight,
    WorkRelationship,
)
from mandates_store.parties import get_party, put_party, require_party
from mandates_store.validity import check_period, holds_on, overlaps

LOKALE_BEHEERDER = "Lokale beheerder"
HOOFD_LOKALE_BEHEERDER = "Hoofd lokale beheerder"
ADMINISTRATOR_RIGHTS = (HOOFD_LOKALE_BEHEERDER, LOKALE_BEHEERDER)
HEAD, LOCAL = "head", "local"
# What each standing may give and end.
GRANTABLE = {
    LOCAL: (MANDAATBEHEERDER, MANDAATUITVOERDER),
    HEAD: (MANDAATBEHEERDER, MANDAATUITVOERDER, LOKALE_BEHEERDER),
}
SEARCH_LIMIT = 200


@dataclass(frozen=True)
class Member:
    person: Party
    relationships: tuple[WorkRelationship, ...]  # with this organisation only
    rights: tuple[UserRight, ...]  # at this organisation only


def standing(db: Database, actor: Actor, organisation: str, day: date) -> str:
    """HEAD or LOCAL; NotAllowed when the actor may not administer the organisation (any more)."""
    person = identifiers.person_number(actor.person, "acting person")
    party = require_party(db, organisation, "organisation")
    if party.kind == PERSON:
        raise NotAllowed(
            "a natural person acts in their own name and has no users to administer",
            "een natuurlijk persoon handelt in eigen naam en heeft geen gebruikers te beheren",
            field="organisation",
            value=party.number,
        )
    if represents_on(db, person, party.number, day):
        return HEAD
    if idm.holds_right_on(db, person, party.number, HOOFD_LOKALE_BEHEERDER, day):
        return HEAD
    if idm.holds_right_on(db, person, party.number, LOKALE_BEHEERDER, day):
        return LOCAL
    raise NotAllowed(
        f"{person} is no local administrator nor legal representative of {party.label}",
        f"{person} is geen lokale beheerder en geen wettelijk vertegenwoordiger van {party.label}",
        field="acting person",
        value=person,
    )


def _may_handle(level: str, right_name: str) -> None:
    if right_name not in GRANTABLE[level]:
        raise NotAllowed(
            f"you may not give or end the right '{right_name}'",
            f"je mag het recht '{right_name}' niet geven of beëindigen",
            field="right",
            value=right_name,
        )


def _member_rows(db, organisation: str) -> dict[str, Party]:
    rows = db.execute(
        "SELECT DISTINCT p.number, p.kind, p.name FROM work_relationships w "
        "JOIN parties p ON p.number = w.person WHERE w.organisation = ? ORDER BY p.name, p.number",
        [organisation],
    )
    return {row[0]: Party(*row) for row in rows}


def member(db: Database, organisation: str, person: str) -> Member:
    """A person who has (or had) a work relationship with the organisation; UnknownEntity otherwise."""
    try:
        number = identifiers.person_number(person, "person")
    except InvalidIdentifier:
        number = None
    found = get_party(db, number) if number else None
    relationships = (
        tuple(r for r in idm.work_relationships_of(db, number) if r.organisation == organisation) if found else ()
    )
    if not relationships:
        raise UnknownEntity(f"unknown user {person}", f"onbekende gebruiker {person}", field="person", value=person)
    rights = tuple(r for r in idm.rights_of(db, number) if r.organisation == organisation)
    return Member(found, relationships, rights)


def members(db: Database, organisation: str, text: str = "") -> list[Member]:
    """The organisation's people, by name; `text`: part of a name, or a national number."""
    found = _member_rows(db, organisation)
    text = (text or "").strip()
    if text:
        digits = "".join(c for c in text if c.isdigit())
        if digits and len(digits) >= 6 and not any(c.isalpha() for c in text):
            found = {n: p for n, p in found.items() if digits in n}
        else:
            wanted = text.casefold()
            found = {n: p for n, p in found.items() if wanted in p.name.casefold()}
    return [member(db, organisation, number) for number in list(found)[:SEARCH_LIMIT]]


def add_relationship(
    db: Database,
    actor: Actor,
    organisation: str,
    person: str,
    valid_from: date,
    valid_until: date | None,
    *,
    now: datetime,
    name: str = "",
) -> WorkRelationship:
    """A work relationship; a person the store does not know yet needs `name`."""
    number = identifiers.person_number(person, "national number")
    check_period(valid_from, valid_until, "work relationship", "werkrelatie")
    with write(db):
        standing(db, actor, organisation, now.date())
        if get_party(db, number) is None:
            if not (name or "").strip():
                raise InvalidInput(
                    f"{number} is not known yet: fill in the name",
                    f"{number} is nog niet gekend: vul de naam in",
                    field="name",
                    value=number,
                )
            put_party(db, number, name)
        if any(
            r.organisation == organisation and overlaps(r.valid_from, r.valid_until, valid_from, valid_until)
            for r in idm.work_relationships_of(db, number)
        ):
            raise InvalidInput(
                f"{number} already has a work relationship with this organisation in that period",
                f"{number} heeft in die periode al een werkrelatie met deze organisatie",
                field="valid_from",
                value=number,
            )
        relationship = idm.add_work_relationship(db, number, organisation, valid_from, valid_until)
        record(db, actor, organisation, number, "relationship_added", now, detail=_period(valid_from, valid_until))
    return relationship


def _period(valid_from: date, valid_until: date | None) -> str:
    return f"{iso_date(valid_from)}..{iso_date(valid_until) or ''}"


def _end_of(valid_from: date, valid_until: date | None, today: date, what: str, what_nl: str) -> date:
    if valid_until is not None and valid_until <= today:
        raise InvalidInput(f"this {what} has already ended", f"deze {what_nl} is al beëindigd", field=what)
    return max(valid_from, today)


def _right_at(db, organisation: str, right_id: int) -> UserRight:
    row = db.execute("SELECT person, organisation FROM user_rights WHERE id = ?", [right_id]).fetchone()
    if row is None or row[1] != organisation:
        raise UnknownEntity(f"unknown right {right_id}", f"onbekend recht {right_id}", field="right", value=right_id)
    return next(r for r in idm.rights_of(db, row[0]) if r.id == right_id)


def end_relationship(
    db: Database, actor: Actor, organisation: str, relationship_id: int, *, now: datetime
) -> list[UserRight]:
    """End the relationship today, and with it every right of the person at the organisation that
    no other relationship there still carries; returns the rights it ended."""
    today = now.date()
    with write(db):
        level = standing(db, actor, organisation, today)
        row = db.execute(
            "SELECT person, organisation, valid_from, valid_until FROM work_relationships WHERE id = ?",
            [relationship_id],
        ).fetchone()
        if row is None or row[1] != organisation:
            raise UnknownEntity(
                f"unknown work relationship {relationship_id}",
                f"onbekende werkrelatie {relationship_id}",
                field="work relationship",
                value=relationship_id,
            )
        person, valid_from, valid_until = row[0], to_date(row[2]), to_date(row[3])
        until = _end_of(valid_from, valid_until, today, "work relationship", "werkrelatie")
        others = [
            r
            for r in idm.work_relationships_of(db, person)
            if r.organisation == organisation
            and r.id != relationship_id
            and (r.valid_until is None or r.valid_until > today)
        ]
        ended = []
        if not others:
            for right in idm.rights_of(db, person):
                if right.organisation != organisation or (right.valid_until is not None and right.valid_until <= today):
                    continue
                if right.name not in GRANTABLE[level]:
                    raise NotAllowed(
                        f"this work relationship carries the right '{right.name}', which you may not end",
                        f"deze werkrelatie bevat het recht '{right.name}', dat je niet mag beëindigen",
                        field="right",
                        value=right.name,
                    )
                ended.append(right)
        db.execute("UPDATE work_relationships SET valid_until = ? WHERE id = ?", [iso_date(until), relationship_id])
        record(db, actor, organisation, person, "relationship_ended", now, detail=iso_date(until))
        for right in ended:
            _end_right_row(db, actor, organisation, right, today, now)
    return ended


def _end_right_row(db, actor: Actor, organisation: str, right: UserRight, today: date, now: datetime) -> None:
    until = max(right.valid_from, today)
    db.execute("UPDATE user_rights SET valid_until = ? WHERE id = ?", [iso_date(until), right.id])
    record(db, actor, organisation, right.person, "right_ended", now, right.name, iso_date(until))


def grant(
    db: Database,
    actor: Actor,
    organisation: str,
    person: str,
    name: str,
    valid_from: date,
    valid_until: date | None,
    *,
    now: datetime,
    mandate_types: Iterable[str] = (),
    givers: Iterable[str] | None = None,
) -> UserRight:
    """A right inside one of the person's work relationships with the organisation."""
    types = sorted(set(mandate_types))
    with write(db):
        level = standing(db, actor, organisation, now.date())
        _may_handle(level, name)
        found = member(db, organisation, person)
        check_period(valid_from, valid_until, f"right {name}", f"recht {name}")
        if not any(
            r.valid_from <= valid_from
            and (r.valid_until is None or (valid_until is not None and valid_until <= r.valid_until))
            for r in found.relationships
        ):
            raise InvalidInput(
                "the right's begin and end date must lie inside a work relationship with this organisation",
                "de begin- en einddatum van het recht moeten binnen een werkrelatie met deze organisatie liggen",
                field="valid_from",
            )
        allowed = {t.code for t in executor_types(db)}
        if any(code not in allowed for code in types):
            raise InvalidInput(
                "this organisation cannot take part in one of the chosen mandate types as taker",
                "deze organisatie kan niet als mandaatnemer deelnemen aan een van de gekozen mandaattypes",
                field="mandate types",
            )
        right = idm.grant_right(
            db,
            found.person.number,
            organisation,
            name,
            valid_from,
            valid_until,
            mandate_types=types,
            givers=None if givers is None else list(givers),
        )
        detail = ", ".join(types) + (f"; {', '.join(sorted(right.givers))}" if right.givers else "")
        record(db, actor, organisation, right.person, "right_granted", now, name, detail or None)
    return right


def executor_types(db: Database) -> list[MandateType]:
    """The types an organisation can take part in as taker: the only ones its executors can use."""
    return [t for t in types_for(db, ORGANISATION) if any(taker == ORGANISATION for _, taker in t.combinations)]


def end(db: Database, actor: Actor, organisation: str, right_id: int, *, now: datetime) -> UserRight:
    today = now.date()
    with write(db):
        level = standing(db, actor, organisation, today)
        right = _right_at(db, organisation, right_id)
        _may_handle(level, right.name)
        _end_of(right.valid_from, right.valid_until, today, "right", "recht")
        _end_right_row(db, actor, organisation, right, today, now)
    return _right_at(db, organisation, right_id)


def local_administrators(db: Database, organisation: str, day: date) -> list[tuple[Party, UserRight]]:
    """ "Mijn lokale beheerders": who holds an administrator right there today, heads first."""
    found = []
    for number in _member_rows(db, organisation):
        if not idm.employed_on(db, number, organisation, day):
            continue
        for right in idm.rights_of(db, number):
            if (
                right.organisation == organisation
                and right.name in ADMINISTRATOR_RIGHTS
                and holds_on(right.valid_from, right.valid_until, day)
            ):
                found.append((get_party(db, number), right))
    order = {name: i for i, name in enumerate(ADMINISTRATOR_RIGHTS)}
    return sorted(found, key=lambda pair: (order[pair[1].name], pair[0].name.casefold(), pair[0].number))


__all__ = [
    "LOKALE_BEHEERDER",
    "HOOFD_LOKALE_BEHEERDER",
    "ADMINISTRATOR_RIGHTS",
    "HEAD",
    "LOCAL",
    "GRANTABLE",
    "Member",
    "IdmEvent",
    "standing",
    "member",
    "members",
    "add_relationship",
    "end_relationship",
    "grant",
    "end",
    "local_administrators",
    "events",
    "executor_types",
]
