from datetime import date, datetime, time, timedelta

import pytest

from mandates_store import Actor, Address, Store
from mandates_store.demo_data import load_demo

TODAY = date(2025, 3, 10)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, day: date = TODAY) -> None:
        self.moment = datetime.combine(day, time(10, 0))

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, days: int) -> None:
        self.moment += timedelta(days=days)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request) -> str:
    """Every test of the store that takes a store runs on both engines."""
    return request.param


@pytest.fixture
def new_location(engine, tmp_path, request):
    """A new, empty store location on this test's engine: `new_location("name.db")`."""

    def make(name: str = "store.db") -> str:
        if engine == "sqlite":
            return str(tmp_path / name)
        return request.getfixturevalue("postgres_server").create_database()

    return make


@pytest.fixture
def store_location(new_location) -> str:
    return new_location()


@pytest.fixture
def store(store_location, clock) -> Store:
    with Store(store_location, now=clock) as opened:
        yield opened


@pytest.fixture
def demo(new_location, clock) -> Store:
    with Store(new_location("demo.db"), now=clock) as opened:
        load_demo(opened, clock().date())
        yield opened


# A small world for rule tests: two organisations, two persons, the four seed types.
ORG_A, ORG_B, ORG_C = "0411515075", "0806154033", "0400048883"
PERSON_P, PERSON_Q = "88012226557", "79031510459"
# a raw insert's giver_name (schema.GIVER_NAME), as the triggers want it: the giver's own
GIVER_NAME_OF = "(SELECT name FROM parties WHERE number = ?)"


@pytest.fixture
def world(store, clock) -> Store:
    return fill_world(store)


def fill_world(store: Store) -> Store:
    from mandates_store import ORGANISATION, PERSON

    store.put_party(ORG_A, "Emmaüs", Address("Edgard Tinellaan", "1", "2800", "Mechelen"))
    store.put_party(ORG_B, "BAROCY", Address("Hundelgemsesteenweg", "321", "9820", "Merelbeke"))
    store.put_party(ORG_C, "BALOISE BELGIUM")
    store.put_party(PERSON_P, "Lotte Verbeke", Address("Kouter", "12", "9000", "Gent"))
    store.put_party(PERSON_Q, "An Peeters")
    oo = (ORGANISATION, ORGANISATION)
    store.put_mandate_type(
        "WSE Loket", names={"nl": "WSE Loket"}, contracts={"nl": "Tekst"}, combinations={oo, (PERSON, ORGANISATION)}
    )
    store.put_mandate_type("Kiosk", combinations={(ORGANISATION, PERSON), (PERSON, PERSON)})
    store.put_mandate_type("Test ORG-ORG", combinations={oo})
    store.put_mandate_type("Test Uniek", combinations={oo})
    return store


def admin(party: str) -> Actor:
    return Actor.admin(party, "tester")


def active_mandate(store: Store, giver: str, taker: str, type_code: str = "WSE Loket", **kw):
    (mandate,) = store.create_mandates(
        admin(giver), role="giver", counterparty=taker, types=[type_code], accept_contract=True, **kw
    )
    return store.sign(admin(taker), mandate.id, accept_contract=True)


class RoundTrips:
    """How many times a PostgreSQL connection waited for the server while it was traced: libpq's
    own trace of the protocol, one ReadyForQuery per exchange (a pipeline's batch is one)."""

    def __init__(self, conn, path) -> None:
        self.conn, self.path = conn, path

    def __enter__(self) -> "RoundTrips":
        from psycopg import pq

        self.file = open(self.path, "w")  # noqa: SIM115 - closed in __exit__
        self.conn.pgconn.trace(self.file.fileno())
        self.conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.pgconn.untrace()
        self.file.close()

    @property
    def count(self) -> int:
        return self._messages("B", "ReadyForQuery")

    @property
    def statements(self) -> int:
        """Statements the server executed: one Bind per extended-protocol execution (executemany
        binds once per row), one Query per simple-protocol statement."""
        return self._messages("F", "Bind") + self._messages("F", "Query")

    def _messages(self, side: str, kind: str) -> int:
        with open(self.path) as trace:
            return sum(1 for line in trace if line.split("\t")[:3:2] == [side, kind])


@pytest.fixture
def round_trips(tmp_path):
    """`with round_trips(store.db) as trips: ...` then `trips.count` (PostgreSQL only)."""
    return lambda db: RoundTrips(db.conn, tmp_path / "libpq-trace.txt")


# the bulk tests' firm, and all a store holds as text
ORG_D = "0400378485"  # Colruyt
ORG_E = "0402206045"


@pytest.fixture
def firm(world):
    world.put_party(ORG_D, "Etablissements Fr. Colruyt")
    world.put_party(ORG_E, "Onderneming 0402206045")
    return world


STORE_TABLES = (
    "parties", "mandate_types", "mandate_type_combinations", "mandates", "mandate_events",
    "work_relationships", "user_rights", "user_right_mandate_types", "user_right_givers",
    "legal_representatives", "bulk_operations", "bulk_lines", "bulk_line_mandates",
)  # fmt: skip


def every_stored_text(store) -> str:
    return "\n".join(
        repr(row) for table in STORE_TABLES for row in store.db.execute(f"SELECT * FROM {table}").fetchall()
    )
