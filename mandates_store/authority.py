"""May this person manage mandates (create, sign, stop, transfer) for that party?

A natural person acts for themselves; for an organisation one needs SSM Mandaatbeheerder inside
a valid work relationship, or to be its legal representative (the SSM always accepts those).
An administrator may act for any party.
"""

from datetime import date

from mandates_store import identifiers
from mandates_store.engines import Database
from mandates_store.errors import NotAllowed
from mandates_store.idm import holds_right_on
from mandates_store.kbo import represents_on
from mandates_store.model import MANDAATBEHEERDER, PERSON, Actor, Party


def check_may_manage(db: Database, actor: Actor, party: Party, day: date) -> None:
    if actor.administrator:
        return
    person = identifiers.person_number(actor.person, "acting person")
    if party.kind == PERSON:
        if person == party.number:
            return
        raise NotAllowed(
            f"{person} cannot act for the person {party.number}",
            f"{person} kan niet optreden voor de persoon {party.number}",
            field="acting person",
            value=person,
        )
    if holds_right_on(db, person, party.number, MANDAATBEHEERDER, day):
        return
    if represents_on(db, person, party.number, day):
        return
    raise NotAllowed(
        f"{person} holds no valid {MANDAATBEHEERDER} right for {party.label} and is not its legal representative",
        f"{person} heeft geen geldig recht {MANDAATBEHEERDER} voor {party.label} en is er geen "
        f"wettelijk vertegenwoordiger van",
        field="acting person",
        value=person,
    )
