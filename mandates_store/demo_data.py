"""Demo data built from the seeds' example parties, for the demo and the tests.

`load_demo(store, today)` fills an empty store. Mandates are created through the store's own
rules with its clock set back, so their histories look lived-in; the store's clock is restored
afterwards. Invented numbers all pass their mod-97 check.

Who is who, for an application whose scope is {"WSE Loket"} with own name and work
relationship allowed (`DEMO_SCOPE`):

(a) PERSON_OWN_NAME_ONLY 79031510459 An Peeters - no links at all: sees only "own name".
(b) PERSON_EXECUTOR 88012226557 Lotte Verbeke (the seeds' number) - works at the accountancy firm
    BAROCY 0806154033 with SSM Mandaatuitvoerder for "WSE Loket": sees own name, "work:BAROCY",
    and four givers - Emmaüs, IMEC, PARKWIND, Provinciaalaat der Broeders van Liefde - each with
    exactly one "Mandaat via BAROCY". (BALOISE's mandate to BAROCY still awaits signature; an
    older Emmaüs mandate was stopped before the current one was made: the conflict resolved.)
(c) PERSON_SEVERAL_TAKERS 85072220893 Jan Claes - works at DELOITTE Belastingconsulenten
    0429053863 and at PricewaterhouseCoopers Tax Consultants 0454658301, SSM Mandaatuitvoerder
    "WSE Loket" at both: Etablissements Fr. Colruyt 0400378485 gave a mandate to each, so Colruyt
    shows "Meerdere mandaten mogelijk" (two options, via DELOITTE and via PwC); BALOISE BELGIUM
    0400048883 shows one "Mandaat via DELOITTE ...". Plus own name and both work relationships.
(d) PERSON_NO_OPTION 91110332719 Els Wouters - has links, none usable for this scope: her work
    relationship and SSM Mandaatuitvoerder right at PARKWIND ended, and her own mandate from
    Emmaüs is of type "Kiosk". She sees only own name (nothing if own name is disabled);
    `explain_missing` says why for each link.
(e) PERSON_REPRESENTATIVE 67020815358 Marc Janssens - Bestuurder of BAROCY in the KBO, no work
    relationship: with legal representatives allowed he sees "rep:BAROCY" and BAROCY's mandates;
    with DEMO_SCOPE only own name.
(f) PERSON_MANAGER 83041738602 Sofie Maes - SSM Mandaatbeheerder at Emmaüs (creates and stops
    Emmaüs's mandates in the demo); no SSM Mandaatuitvoerder, so only own name and work:Emmaüs.
(g) PERSON_YOUNG 02030512412 Noor De Smet - born in 2003 (the "2" check rule); taker of a
    "Kiosk" mandate from An Peeters (person to person).
(h) PERSON_LOCAL_ADMIN 76051824669 Karin Vermeulen - Hoofd lokale beheerder at BAROCY (work
    relationship there): administers BAROCY's users in Gebruikersbeheer; only own name and
    work:BAROCY at an application.
(i) PERSON_NEW_COLLEAGUE 95090313587 Tom Goossens - known to the store, no link at all yet: the
    colleague BAROCY's local administrator gives a work relationship and SSM Mandaatuitvoerder.
"""

from datetime import date, datetime, time, timedelta

from mandates_store.model import MANDAATBEHEERDER, MANDAATUITVOERDER, ORGANISATION, PERSON, Actor, Address, Scope
from mandates_store.store import Store

EMMAUS = "0411515075"
BAROCY = "0806154033"
BROEDERS = "0406633304"
PARKWIND = "0844796259"
IMEC = "0425260668"
DELOITTE = "0429053863"  # invented
PWC = "0454658301"  # invented
BALOISE = "0400048883"
COLRUYT = "0400378485"
UNNAMED = "0402206045"

PERSON_OWN_NAME_ONLY = "79031510459"
PERSON_EXECUTOR = "88012226557"
PERSON_SEVERAL_TAKERS = "85072220893"
PERSON_NO_OPTION = "91110332719"
PERSON_REPRESENTATIVE = "67020815358"
PERSON_MANAGER = "83041738602"
PERSON_YOUNG = "02030512412"
PERSON_LOCAL_ADMIN = "76051824669"
PERSON_NEW_COLLEAGUE = "95090313587"
HOOFD_LOKALE_BEHEERDER = "Hoofd lokale beheerder"

WSE_LOKET, KIOSK, TEST_ORG_ORG, TEST_UNIEK = "WSE Loket", "Kiosk", "Test ORG-ORG", "Test Uniek"

DEMO_SCOPE = Scope(
    mandate_types=frozenset({WSE_LOKET}),
    own_name=True,
    work_relationship=True,
    member_right=None,
    mandate=True,
    legal_representative=False,
)

ORGANISATIONS = [
    (EMMAUS, "Emmaüs", Address("Edgard Tinellaan", "1", "2800", "Mechelen")),
    (BAROCY, "BAROCY", Address("Hundelgemsesteenweg", "321", "9820", "Merelbeke")),
    (BROEDERS, "Provinciaalaat der Broeders van Liefde", Address("Stropstraat", "119", "9000", "Gent")),
    (PARKWIND, "PARKWIND", Address("Sluisweg", "1", "9000", "Gent")),
    (IMEC, "Interuniversitair Micro-Electronica Centrum", Address("Kapeldreef", "75", "3001", "Leuven")),
    (DELOITTE, "DELOITTE Belastingconsulenten", Address("Gateway building", "1", "1930", "Zaventem")),
    (PWC, "PricewaterhouseCoopers Tax Consultants", Address("Culliganlaan", "5", "1831", "Diegem")),
    (BALOISE, "BALOISE BELGIUM", Address("City Link, Posthofbrug", "16", "2600", "Antwerpen")),
    (COLRUYT, "Etablissements Fr. Colruyt", Address("Edingensesteenweg", "196", "1500", "Halle")),
    (UNNAMED, "Onderneming 0402206045", Address("Kerkstraat", "10", "1000", "Brussel")),
]
PERSONS = [
    (PERSON_OWN_NAME_ONLY, "An Peeters", Address("Lindenlaan", "4", "2000", "Antwerpen")),
    (PERSON_EXECUTOR, "Lotte Verbeke", Address("Kouter", "12", "9000", "Gent")),
    (PERSON_SEVERAL_TAKERS, "Jan Claes", Address("Markt", "3", "8000", "Brugge")),
    (PERSON_NO_OPTION, "Els Wouters", Address("Stationsstraat", "27", "3000", "Leuven")),
    (PERSON_REPRESENTATIVE, "Marc Janssens", Address("Dorpsstraat", "8", "9820", "Merelbeke")),
    (PERSON_MANAGER, "Sofie Maes", Address("Bruul", "40", "2800", "Mechelen")),
    (PERSON_YOUNG, "Noor De Smet", Address("Veldstraat", "55", "9000", "Gent")),
    (PERSON_LOCAL_ADMIN, "Karin Vermeulen", Address("Hundelgemsesteenweg", "12", "9820", "Merelbeke")),
    (PERSON_NEW_COLLEAGUE, "Tom Goossens", Address("Kerkstraat", "7", "9050", "Gentbrugge")),
]

CONTRACT_NL = (
    "Met dit mandaat kan de aangewezen mandaatnemer in naam van de mandaatgever "
    "optreden in de toepassingen van dit mandaattype. Beide partijen kunnen het "
    "mandaat op elk moment elektronisch stopzetten."
)
CONTRACT_EN = (
    "With this mandate the designated taker may act in the giver's name in the "
    "applications of this mandate type. Either party may stop it electronically at "
    "any time."
)
ORG_ORG = (ORGANISATION, ORGANISATION)
MANDATE_TYPES = {
    WSE_LOKET: {ORG_ORG, (PERSON, ORGANISATION)},
    KIOSK: {(ORGANISATION, PERSON), (PERSON, PERSON)},
    TEST_ORG_ORG: {ORG_ORG},
    TEST_UNIEK: {ORG_ORG},
}


def load_demo(store: Store, today: date) -> None:
    real_clock = store.now
    try:
        _load(store, today)
    finally:
        store.now = real_clock


def _at(store: Store, day: date) -> None:
    store.now = lambda: datetime.combine(day, time(9, 30))


def _load(store: Store, today: date) -> None:
    _at(store, today)
    for number, name, address in ORGANISATIONS + PERSONS:
        store.put_party(number, name, address)
    for code, combinations in MANDATE_TYPES.items():
        store.put_mandate_type(
            code,
            names={"nl": code, "en": code},
            contracts={"nl": CONTRACT_NL, "en": CONTRACT_EN},
            combinations=combinations,
        )
    long_ago = today - timedelta(days=3 * 365)
    a_year_ago = today - timedelta(days=365)
    two_months_ago = today - timedelta(days=60)

    # IDM and KBO.
    store.add_work_relationship(PERSON_EXECUTOR, BAROCY, long_ago)
    store.grant_right(PERSON_EXECUTOR, BAROCY, MANDAATUITVOERDER, long_ago, mandate_types=[WSE_LOKET])
    for firm in (DELOITTE, PWC):
        store.add_work_relationship(PERSON_SEVERAL_TAKERS, firm, long_ago)
        store.grant_right(PERSON_SEVERAL_TAKERS, firm, MANDAATUITVOERDER, long_ago, mandate_types=[WSE_LOKET])
    store.add_work_relationship(PERSON_NO_OPTION, PARKWIND, long_ago, two_months_ago)
    store.grant_right(
        PERSON_NO_OPTION, PARKWIND, MANDAATUITVOERDER, long_ago, two_months_ago, mandate_types=[WSE_LOKET]
    )
    store.add_work_relationship(PERSON_MANAGER, EMMAUS, long_ago)
    store.grant_right(PERSON_MANAGER, EMMAUS, MANDAATBEHEERDER, long_ago)
    store.add_representative(PERSON_REPRESENTATIVE, BAROCY, "Bestuurder", long_ago)
    store.add_work_relationship(PERSON_LOCAL_ADMIN, BAROCY, long_ago)
    store.grant_right(PERSON_LOCAL_ADMIN, BAROCY, HOOFD_LOKALE_BEHEERDER, long_ago)

    emmaus = Actor(PERSON_MANAGER, EMMAUS)
    barocy = Actor(PERSON_REPRESENTATIVE, BAROCY)

    # A year ago Emmaüs gave BAROCY a WSE Loket mandate; two months ago it was stopped and a new
    # one made (the seeds' conflict resolution), plus Test Uniek.
    _at(store, a_year_ago)
    old = _given(store, emmaus, BAROCY, WSE_LOKET)
    store.sign(barocy, old, accept_contract=True)
    _at(store, two_months_ago)
    store.stop(emmaus, old, reason="Vervangen door een nieuw mandaat")
    for type_code in (WSE_LOKET, TEST_UNIEK):
        store.sign(barocy, _given(store, emmaus, BAROCY, type_code), accept_contract=True)
    # Other givers of BAROCY, created by BAROCY (the taker) and signed by the givers.
    for giver in (BROEDERS, PARKWIND, IMEC):
        mandate_id = _taken(store, barocy, giver, WSE_LOKET)
        store.sign(Actor.admin(giver, "demo"), mandate_id, accept_contract=True)
    # BALOISE's mandate to BAROCY still awaits BALOISE's signature.
    _at(store, today)
    _taken(store, barocy, BALOISE, WSE_LOKET)

    # Colruyt -> DELOITTE and Colruyt -> PwC; BALOISE -> DELOITTE.
    _at(store, a_year_ago)
    for giver, taker in ((COLRUYT, DELOITTE), (COLRUYT, PWC), (BALOISE, DELOITTE)):
        mandate_id = _given(store, Actor.admin(giver, "demo"), taker, WSE_LOKET)
        store.sign(Actor.admin(taker, "demo"), mandate_id, accept_contract=True)
    # Person-as-taker Kiosk mandates: Emmaüs -> Els Wouters, An Peeters -> Noor De Smet.
    mandate_id = _given(store, emmaus, PERSON_NO_OPTION, KIOSK)
    store.sign(Actor(PERSON_NO_OPTION, PERSON_NO_OPTION), mandate_id, accept_contract=True)
    mandate_id = _given(store, Actor(PERSON_OWN_NAME_ONLY, PERSON_OWN_NAME_ONLY), PERSON_YOUNG, KIOSK)
    store.sign(Actor(PERSON_YOUNG, PERSON_YOUNG), mandate_id, accept_contract=True)


def _given(store: Store, giver: Actor, taker: str, type_code: str) -> int:
    (mandate,) = store.create_mandates(
        giver, role="giver", counterparty=taker, types=[type_code], reference=f"DEMO-{type_code}", accept_contract=True
    )
    return mandate.id


def _taken(store: Store, taker: Actor, giver: str, type_code: str) -> int:
    (mandate,) = store.create_mandates(taker, role="taker", counterparty=giver, types=[type_code], accept_contract=True)
    return mandate.id
