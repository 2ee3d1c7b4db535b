"""A mandates store holding one person with a link of every kind, each giving an option or failing one condition.

Jan Peeters (88012226557) on 2026-06-01, for an application with mandate type WSE Loket:
- works at BAROCY, holds SSM Mandaatuitvoerder (WSE Loket) there; BAROCY takes M1 from Emmaüs;
- works at IMEC, whose right covers only Kiosk (right_type_not_in_scope);
- worked at PARKWIND until 2020; his right there still runs; PARKWIND takes M4 from Colruyt
  (work_relationship_not_valid for the relationship, the right and M4);
- works at BALOISE, whose right ended in 2021; BALOISE takes M5 from 0402206045 (right_not_valid);
- works at Colruyt with a right, but Colruyt takes no mandate (no_active_mandate);
- takes M2 (Kiosk) from IMEC (type_not_in_scope), M3 from BALOISE, stopped (mandate_not_active),
  and M8 (WSE Loket) from Colruyt himself (an option without a right);
- is Bestuurder of the Broeders van Liefde, which take M6 from Emmaüs (option only when legal
  representatives are allowed, else legal_representative_not_allowed) and M9 (Kiosk) from Emmaüs
  (type_not_in_scope);
- gave M10 (Kiosk) to Emmaüs himself (person_is_giver);
- was Zaakvoerder of 0402206045 until 2015, which takes M7 from IMEC (representation_not_valid);
- holds the application right "WSE Loket gebruiker" at BAROCY only (member_right_missing elsewhere;
  right_not_asked when the application asks for no member right).
"""

from datetime import date, datetime

from mandates_store import MANDAATUITVOERDER, Actor, Store

DAY = date(2026, 6, 1)
JAN = "88012226557"
BAROCY, EMMAUS, PARKWIND, BALOISE = "0806154033", "0411515075", "0844796259", "0400048883"
COLRUYT, IMEC, BROEDERS, OTHER = "0400378485", "0425260668", "0406633304", "0402206045"
ALL = [("organisation", "organisation"), ("organisation", "person"), ("person", "organisation"), ("person", "person")]
OPEN = date(2020, 1, 1)


def build_store(path) -> dict[str, int]:
    """Fill a store at `path`; returns the mandate ids by name (M1 …)."""
    store = Store(str(path), now=lambda: datetime(2026, 6, 1, 9, 0))
    store.put_party(JAN, "Jan Peeters")
    for number, name in [
        (BAROCY, "BAROCY"),
        (EMMAUS, "Emmaüs"),
        (PARKWIND, "PARKWIND"),
        (BALOISE, "BALOISE BELGIUM"),
        (COLRUYT, "Etablissements Fr. Colruyt"),
        (IMEC, "IMEC"),
        (BROEDERS, "Broeders van Liefde"),
        (OTHER, "Andere NV"),
    ]:
        store.put_party(number, name)
    for code in ("WSE Loket", "Kiosk"):
        store.put_mandate_type(code, combinations=ALL)

    for org in (BAROCY, IMEC, BALOISE, COLRUYT):
        store.add_work_relationship(JAN, org, OPEN)
    store.add_work_relationship(JAN, PARKWIND, date(2019, 1, 1), date(2020, 1, 1))
    store.grant_right(JAN, BAROCY, MANDAATUITVOERDER, OPEN, mandate_types=["WSE Loket"])
    store.grant_right(JAN, BAROCY, "WSE Loket gebruiker", OPEN)
    store.grant_right(JAN, IMEC, MANDAATUITVOERDER, OPEN, mandate_types=["Kiosk"])
    store.grant_right(JAN, PARKWIND, MANDAATUITVOERDER, date(2019, 6, 1), mandate_types=["WSE Loket"])
    store.grant_right(JAN, BALOISE, MANDAATUITVOERDER, OPEN, date(2021, 1, 1), mandate_types=["WSE Loket"])
    store.grant_right(JAN, COLRUYT, MANDAATUITVOERDER, OPEN, mandate_types=["WSE Loket"])
    store.add_representative(JAN, BROEDERS, "Bestuurder", date(2015, 1, 1))
    store.add_representative(JAN, OTHER, "Zaakvoerder", date(2010, 1, 1), date(2015, 1, 1))

    def mandate(giver: str, taker: str, code: str) -> int:
        [created] = store.create_mandates(
            Actor.admin(giver), role="giver", counterparty=taker, types=[code], accept_contract=True
        )
        store.sign(Actor.admin(taker), created.id, accept_contract=True)
        return created.id

    ids = {
        "M1": mandate(EMMAUS, BAROCY, "WSE Loket"),
        "M2": mandate(IMEC, JAN, "Kiosk"),
        "M3": mandate(BALOISE, JAN, "WSE Loket"),
        "M4": mandate(COLRUYT, PARKWIND, "WSE Loket"),
        "M5": mandate(OTHER, BALOISE, "WSE Loket"),
        "M6": mandate(EMMAUS, BROEDERS, "WSE Loket"),
        "M7": mandate(IMEC, OTHER, "WSE Loket"),
        "M8": mandate(COLRUYT, JAN, "WSE Loket"),
        "M9": mandate(EMMAUS, BROEDERS, "Kiosk"),
        "M10": mandate(JAN, EMMAUS, "Kiosk"),
    }
    store.stop(Actor.admin(JAN), ids["M3"], reason="einde samenwerking")
    store.close()
    return ids
