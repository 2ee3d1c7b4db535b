"""Generating a large mandates store fast, for bench/store.py and bench/engines.py.

Bypasses the store API on purpose. `tables()` makes the rows, engine-neutral and the same for the
same seed; `generate()` writes them into SQLite with executemany inside big transactions, with the
journal off, and creates indexes and triggers after the load (their SQL is taken from the freshly
migrated schema, so the result is the store's real schema). bench/pg_load.py writes the same rows
into PostgreSQL with COPY.
"""

import random
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from mandates_store import Store
from mandates_store.identifiers import with_check_digits
from mandates_store.schema import FIRST_MANDATE_ID

TYPES = ("WSE Loket", "Kiosk", "Test ORG-ORG", "Test Uniek")
CHUNK = 200_000
BIG_FIRM_GIVERS = 2_000
# The history: one 'created' event per mandate, made by the database from the loaded mandates
# (SQL both engines accept; the events' ids follow the mandates' order on both).
HISTORY_SQL = (
    "INSERT INTO mandate_events (mandate_id, at, event, role, party) "
    "SELECT id, created_at, 'created', 'giver', giver FROM mandates ORDER BY id"
)


def organisation_numbers(count: int) -> list[str]:
    return [with_check_digits(f"{20_000_000 + i:08d}") for i in range(count)]


def person_numbers(count: int) -> list[str]:
    return [with_check_digits(f"{500_000_000 + i:09d}") for i in range(count)]


def put_types(store: Store) -> None:
    for code in TYPES:
        combos = {("organisation", "organisation"), ("person", "organisation")}
        if code == "Kiosk":
            combos = {("organisation", "person"), ("person", "person")}
        store.put_mandate_type(code, names={"nl": code}, combinations=combos)


@dataclass(frozen=True)
class Rows:
    """One table's generated rows; consume them before asking tables() for the next (one random
    stream feeds them all, in this order)."""

    table: str
    columns: tuple[str, ...]
    rows: Iterable[tuple]

    def insert_sql(self) -> str:
        marks = ", ".join("?" for _ in self.columns)
        return f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({marks})"


def tables(*, persons: int, organisations: int, mandates: int, today: date, seed: int, facts: dict) -> Iterator[Rows]:
    """The store's rows, table by table; when exhausted, `facts` holds the numbers the
    measurements need (typical persons, the big firm and its executor)."""
    rng = random.Random(seed)
    orgs = organisation_numbers(organisations)
    people = person_numbers(persons)
    big_firm, big_executor = orgs[0], people[0]
    party = ("number", "kind", "name", "street", "house_number", "postcode", "city")
    yield Rows(
        "parties",
        party,
        (
            (number, "organisation", f"Onderneming {i}", "Straat", "1", "1000", "Brussel")
            for i, number in enumerate(orgs)
        ),
    )
    yield Rows(
        "parties",
        party,
        ((number, "person", f"Persoon {i}", "Straat", str(i % 200), "9000", "Gent") for i, number in enumerate(people)),
    )

    # IDM: each person works at one organisation; 30 % are executors there, 5 % managers.
    long_ago = (today - timedelta(days=2000)).isoformat()
    employer = [big_firm if i == 0 else orgs[rng.randrange(organisations)] for i in range(persons)]
    yield Rows(
        "work_relationships",
        ("person", "organisation", "valid_from"),
        ((people[i], employer[i], long_ago) for i in range(persons)),
    )
    executors = [i for i in range(persons) if i == 0 or rng.random() < 0.30]
    right = ("id", "person", "organisation", "name", "valid_from")
    yield Rows(
        "user_rights",
        right,
        ((n + 1, people[i], employer[i], "SSM Mandaatuitvoerder", long_ago) for n, i in enumerate(executors)),
    )
    yield Rows(
        "user_right_mandate_types",
        ("right_id", "type_code"),
        (
            (n + 1, code)
            for n, i in enumerate(executors)
            for code in (("WSE Loket",) if i == 0 else rng.sample(TYPES, rng.choice((1, 2))))
        ),
    )
    managers = [i for i in range(1, persons) if rng.random() < 0.05]
    first = len(executors) + 1
    yield Rows(
        "user_rights",
        right,
        ((first + n, people[i], employer[i], "SSM Mandaatbeheerder", long_ago) for n, i in enumerate(managers)),
    )
    yield Rows(
        "legal_representatives",
        ("person", "enterprise", "function", "since"),
        ((people[rng.randrange(persons)], org, "Bestuurder", long_ago) for org in orgs),
    )

    # Mandates: the big firm takes 2,000 active WSE Loket mandates from distinct givers; the
    # rest spread over random takers: 70 % active, 10 % awaiting, 10 % stopped, 10 % expired.
    def mandate_rows():
        moment = f"{long_ago}T09:00:00"
        start = (today - timedelta(days=400)).isoformat()
        expired_end = (today - timedelta(days=10)).isoformat()
        givers = rng.sample(range(1, organisations), min(BIG_FIRM_GIVERS, organisations - 1))
        next_id = FIRST_MANDATE_ID
        # the conflict rule's triggers are created after the load: the rows must keep it themselves
        # (PostgreSQL's exclusion constraint checks it when bench/pg_load.py adds it)
        signed_keys = {("WSE Loket", orgs[giver], big_firm) for giver in givers}
        for giver in givers:
            yield (
                next_id,
                "WSE Loket",
                orgs[giver],
                f"Onderneming {giver}",
                big_firm,
                "signed",
                orgs[giver],
                start,
                None,
                moment,
                moment,
                None,
                "taker",
                moment,
                "nl",
            )
            next_id += 1
        for _ in range(mandates - len(givers)):
            taker = orgs[rng.randrange(1, organisations)]
            if rng.random() < 0.15:
                index = rng.randrange(persons)
                giver, giver_name = people[index], f"Persoon {index}"
                type_code = rng.choice(("WSE Loket", "Test Uniek"))
            else:
                index = rng.randrange(organisations)
                giver, giver_name = orgs[index], f"Onderneming {index}"
                type_code = rng.choice(TYPES[0:1] + TYPES[2:])
            if giver == taker:
                continue
            roll = rng.random()
            state, end, signed, stopped = "signed", None, moment, None
            if roll < 0.10:
                state, signed = "awaiting", None
            elif roll < 0.20:
                state, stopped = "stopped", moment
            elif roll < 0.30:
                end = expired_end
            if state == "signed":  # every signed period here overlaps: one per type, giver and taker
                key = (type_code, giver, taker)
                if key in signed_keys:
                    continue
                signed_keys.add(key)
            yield (
                next_id,
                type_code,
                giver,
                giver_name,
                taker,
                state,
                taker,
                start,
                end,
                moment,
                signed,
                stopped,
                "giver",
                moment,
                "nl",
            )
            next_id += 1

    yield Rows(
        "mandates",
        (
            "id", "type_code", "giver", "giver_name", "taker", "state", "signer", "start_date", "end_date", "created_at",
            "signed_at", "stopped_at", "changed_by", "changed_at", "language",
        ),
        mandate_rows(),
    )  # fmt: skip
    facts.update(
        big_firm=big_firm,
        big_executor=big_executor,
        typical=[people[i] for i in rng.sample(range(1, persons), min(2000, persons - 1))],
    )


def generate(
    path: str, *, persons: int, organisations: int, mandates: int, today: date, seed: int = 4, log=print
) -> dict:
    """Returns the numbers the measurements need (typical persons, the big firm's executor)."""
    with Store(path) as store:  # migrate: the real schema
        put_types(store)
    conn = sqlite3.connect(path, isolation_level=None)
    schema = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('index', 'trigger')"
    ).fetchall()
    for kind, name, _ in schema:
        conn.execute(f'DROP {kind.upper()} "{name}"')
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -2000000")
    conn.execute("PRAGMA foreign_keys = OFF")  # rows are generated consistent; checked below
    started = time.perf_counter()

    def bulk(sql: str, rows) -> None:
        conn.execute("BEGIN")
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                conn.executemany(sql, batch)
                batch.clear()
        conn.executemany(sql, batch)
        conn.execute("COMMIT")

    facts: dict = {}
    for part in tables(
        persons=persons, organisations=organisations, mandates=mandates, today=today, seed=seed, facts=facts
    ):
        bulk(part.insert_sql(), part.rows)
        log(f"  {part.table}: {time.perf_counter() - started:.0f}s")
    count = conn.execute("SELECT max(id) FROM mandates").fetchone()[0]
    conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'mandates'", [count])
    conn.execute("BEGIN")
    conn.execute(HISTORY_SQL)
    conn.execute("COMMIT")
    log(f"  history: {time.perf_counter() - started:.0f}s")

    for _kind, _name, sql in schema:
        conn.execute(sql)
    conn.execute("ANALYZE")
    log(f"  indexes, triggers, ANALYZE: {time.perf_counter() - started:.0f}s")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    facts.update(organisations=organisation_numbers(organisations), seconds=time.perf_counter() - started)
    return facts
