"""Parties: natural persons and organisations, identified by their normalised numbers."""

from mandates_store import identifiers
from mandates_store.database import write
from mandates_store.engines import Database
from mandates_store.errors import InvalidIdentifier, InvalidInput, UnknownEntity
from mandates_store.model import ORGANISATION, PERSON, Address, Party


def put_party(
    db: Database, number: str, name: str, address: Address | None = None, *, kind: str | None = None
) -> Party:
    """Add a party or update its name and address; the kind follows from the number."""
    normalised, derived_kind = identifiers.party_number(number, "number")
    if kind is not None and kind != derived_kind:
        raise InvalidIdentifier(
            f"number '{number}' is an {derived_kind} number, not a {kind} one",
            f"nummer '{number}' is geen nummer van een {'persoon' if kind == PERSON else 'onderneming'}",
            field="number",
            value=number,
        )
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name is required", "naam is verplicht", field="name", value=name)
    address = address or Address()
    with write(db):
        db.upsert(
            "parties",
            {
                "number": normalised,
                "kind": derived_kind,
                "name": name,
                "street": _clean(address.street),
                "house_number": _clean(address.house_number),
                "postcode": _clean(address.postcode),
                "city": _clean(address.city),
            },
            pk="number",
        )
    return Party(normalised, derived_kind, name)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def get_party(db: Database, number: str, field: str = "party number") -> Party | None:
    normalised, _ = identifiers.party_number(number, field)
    row = db.execute("SELECT number, kind, name FROM parties WHERE number = ?", [normalised]).fetchone()
    return Party(*row) if row else None


def require_party(db: Database, number: str, field: str = "party number", kind: str | None = None) -> Party:
    party = get_party(db, number, field)
    if party is None:
        raise UnknownEntity(
            f"{field} '{number}' is not a known party",
            f"{field} '{number}' is geen gekende partij",
            field=field,
            value=number,
        )
    if kind is not None and party.kind != kind:
        wanted, wanted_nl = ("a person", "een persoon") if kind == PERSON else ("an organisation", "een onderneming")
        raise InvalidInput(
            f"{field} '{number}' is not {wanted}", f"{field} '{number}' is geen {wanted_nl}", field=field, value=number
        )
    return party


def address_of(db: Database, number: str) -> Address:
    row = db.execute("SELECT street, house_number, postcode, city FROM parties WHERE number = ?", [number]).fetchone()
    return Address(*row) if row else Address()


def find_enterprise(db: Database, number_or_name: str) -> Party | None:
    """By enterprise number, or by its exact full name: exactly one result or none."""
    text = (number_or_name or "").strip()
    try:
        number = identifiers.enterprise_number(text, "enterprise")
    except InvalidIdentifier:
        number = None
    if number is not None:
        row = db.execute(
            "SELECT number, kind, name FROM parties WHERE number = ? AND kind = ?", [number, ORGANISATION]
        ).fetchone()
        return Party(*row) if row else None
    rows = db.execute(
        "SELECT number, kind, name FROM parties WHERE name = ? AND kind = ? LIMIT 2", [text, ORGANISATION]
    ).fetchall()
    return Party(*rows[0]) if len(rows) == 1 else None  # an ambiguous name finds nobody


def find_person(db: Database, number: str, street: str, house_number: str, postcode: str) -> Party | None:
    """All four are required, and must all match; exactly one result or none."""
    for field, value in (("street", street), ("house number", house_number), ("postcode", postcode)):
        if not (value or "").strip():
            raise InvalidInput(
                f"{field} is required to find a person", f"{field} is verplicht om een persoon te zoeken", field=field
            )
    normalised = identifiers.person_number(number, "national number")
    row = db.execute(
        "SELECT number, kind, name FROM parties WHERE number = ? AND kind = ? "
        "AND lower(street) = lower(?) AND lower(house_number) = lower(?) AND postcode = ?",
        [normalised, PERSON, street.strip(), house_number.strip(), postcode.strip()],
    ).fetchone()
    return Party(*row) if row else None
