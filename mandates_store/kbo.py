"""KBO: legal representatives (person, enterprise, function such as Bestuurder, since, until)."""

from datetime import date

from mandates_store.database import iso_date, to_date, write
from mandates_store.engines import Database
from mandates_store.errors import InvalidInput
from mandates_store.model import ORGANISATION, PERSON, Representative
from mandates_store.parties import require_party
from mandates_store.validity import check_period, holds_on


def add_representative(
    db: Database, person: str, enterprise: str, function: str, since: date, until: date | None = None
) -> Representative:
    who = require_party(db, person, "person", PERSON)
    what = require_party(db, enterprise, "enterprise", ORGANISATION)
    function = (function or "").strip()
    if not function:
        raise InvalidInput(
            "function is required (e.g. Bestuurder)", "functie is verplicht (bv. Bestuurder)", field="function"
        )
    check_period(since, until, "legal representative", "wettelijk vertegenwoordiger")
    with write(db):
        row_id = db.insert(
            "legal_representatives",
            {
                "person": who.number,
                "enterprise": what.number,
                "function": function,
                "since": iso_date(since),
                "until": iso_date(until),
            },
        )
    return Representative(row_id, who.number, what.number, function, since, until)


def representations_of(db: Database, person: str) -> list[Representative]:
    rows = db.execute(
        "SELECT id, person, enterprise, function, since, until FROM legal_representatives WHERE person = ? ORDER BY id",
        [person],
    )
    return [Representative(i, p, e, f, to_date(s), to_date(u)) for i, p, e, f, s, u in rows]


def represents_on(db: Database, person: str, enterprise: str, day: date) -> bool:
    return any(r.enterprise == enterprise and holds_on(r.since, r.until, day) for r in representations_of(db, person))
