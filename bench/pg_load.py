"""Filling a PostgreSQL store fast with bench/store_data.py's rows, for bench/engines.py.

The database is first migrated by the store itself (the real schema, its real version). Then the
indexes, the keys, the exclusion constraint and the triggers of the loaded tables come off, the
rows go in with COPY (the same generator and seed as the SQLite store: the same rows; the
mandates sorted as the exclusion constraint's columns, see CONFLICT_ORDER), and
everything is put back from the definitions the catalog gave before. Putting them back checks
the rows: the primary keys, the foreign keys and the exclusion constraint (the conflict rule)
are validated when added; the combination rule and the giver names (triggers on insert) are
checked by a query each.
The catalog afterwards must equal the catalog before.

`table_checksums` is `broker store copy`'s check (mandates_store.copying): rows and a checksum
per table, computed the same way on either engine.
"""

import time
from collections.abc import Callable
from datetime import date

import psycopg
from store_data import HISTORY_SQL, put_types, tables

from mandates_store import Store
from mandates_store.copying import COUNTED_IDS, TABLES, Checksum, Side
from mandates_store.engines.postgresql_schema import schema_version
from mandates_store.schema import SCHEMA_VERSION

# The mandates' physical order, the exclusion constraint's columns: adding the constraint probes
# its GiST index once per signed mandate, and over 10M mandates in id (random) order that ran at
# ~300 rows/s here (11 hours projected); in this order each probe finds its pages where the
# previous one left them. A firm's mandates then lie scattered, as after years of signings.
CONFLICT_ORDER = "type_code, giver, taker, id"
LOADED = ("parties", "work_relationships", "user_rights", "user_right_mandate_types")
LOADED += ("legal_representatives", "mandates", "mandate_events")
_PUBLIC = "(SELECT oid FROM pg_namespace WHERE nspname = 'public')"


def catalog(conn: psycopg.Connection) -> dict[str, list[tuple[str, str, str]]]:
    """The schema's rules by kind: (table, name, definition), each list sorted."""
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE connamespace = {_PUBLIC} AND contype IN ('p', 'u', 'x', 'f') ORDER BY 1, 2"
    ).fetchall()
    indexes = conn.execute(
        "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        f"FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = {_PUBLIC} "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
        "AND k.contype IN ('p', 'u', 'x')) ORDER BY 1, 2"
    ).fetchall()
    triggers = conn.execute(
        "SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        f"JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = {_PUBLIC} AND NOT t.tgisinternal "
        "ORDER BY 1, 2"
    ).fetchall()
    by_kind = {kind: [] for kind in ("p", "u", "x", "f")}
    for table, name, kind, definition in constraints:
        by_kind[kind].append((table, name, definition))
    return {"keys": by_kind["p"] + by_kind["u"], "indexes": indexes, "exclusions": by_kind["x"]} | {
        "foreign keys": by_kind["f"],
        "triggers": triggers,
    }


def _off(rules: dict) -> dict:
    """The rules that come off for the load: every foreign key and exclusion constraint (they
    reference or guard the loaded tables), and the loaded tables' keys, indexes and triggers."""
    return {
        kind: [rule for rule in found if kind in ("foreign keys", "exclusions") or rule[0] in LOADED]
        for kind, found in rules.items()
    }


def load(url: str, *, persons: int, organisations: int, mandates: int, today: date, seed: int = 4, log=print) -> dict:
    """Fill the empty database at `url`; returns the facts (as store_data.generate) and the time
    of each phase."""
    with Store(url) as store:  # migrate: the real schema, the real version
        put_types(store)
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = now - since
        log(f"  {name}: {now - since:.0f} s")
        return now

    with psycopg.connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        before = catalog(conn)
        off = _off(before)
        for table, name, _ in off["triggers"]:
            conn.execute(f'DROP TRIGGER "{name}" ON {table}')
        for kind in ("foreign keys", "exclusions", "keys"):
            for table, name, _ in off[kind]:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _, name, _ in off["indexes"]:
            conn.execute(f'DROP INDEX "{name}"')
        conn.commit()
        at = time.perf_counter()

        facts: dict = {}
        for part in tables(
            persons=persons, organisations=organisations, mandates=mandates, today=today, seed=seed, facts=facts
        ):
            into = part.table
            if part.table == "mandates":
                into = "load_mandates"
                conn.execute("CREATE UNLOGGED TABLE load_mandates (LIKE mandates)")
            with conn.cursor() as cursor, cursor.copy(f"COPY {into} ({', '.join(part.columns)}) FROM STDIN") as copy:
                for row in part.rows:
                    copy.write_row(row)
            if part.table == "mandates":
                conn.execute(f"INSERT INTO mandates SELECT * FROM load_mandates ORDER BY {CONFLICT_ORDER}")  # noqa: S608
                conn.execute("DROP TABLE load_mandates")
            conn.commit()
            at = phase(f"COPY {part.table}", at)
        conn.execute(HISTORY_SQL)
        for table in COUNTED_IDS:  # explicit ids were copied: each sequence goes on after them
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} HAVING count(*) > 0"
            )  # noqa: S608
        conn.commit()
        at = phase("history", at)

        for kind, label in (("keys", "primary keys"), ("indexes", "indexes"), ("exclusions", "conflict rule")):
            for table, name, definition in off[kind]:
                if kind == "indexes":
                    conn.execute(definition)
                else:
                    conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            conn.commit()
            at = phase(f"{label} added and checked", at)
        for table, name, definition in off["foreign keys"]:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        conn.commit()
        at = phase("foreign keys added and checked", at)
        for _, _, definition in off["triggers"]:
            conn.execute(definition)
        bad = conn.execute(  # the combination trigger's rule, for the rows loaded without it
            "SELECT count(*) FROM mandates m JOIN parties g ON g.number = m.giver "
            "JOIN parties t ON t.number = m.taker WHERE NOT EXISTS (SELECT 1 FROM mandate_type_combinations c "
            "WHERE c.type_code = m.type_code AND c.giver_kind = g.kind AND c.taker_kind = t.kind)"
        ).fetchone()[0]
        if bad:
            raise AssertionError(f"{bad} loaded mandates break the mandate types' combinations")
        bad = conn.execute(  # and the giver-name trigger's (store step 12)
            "SELECT count(*) FROM mandates m JOIN parties g ON g.number = m.giver WHERE m.giver_name <> g.name"
        ).fetchone()[0]
        if bad:
            raise AssertionError(f"{bad} loaded mandates carry another name than their giver's")
        conn.commit()
        at = phase("triggers added, combinations checked", at)
        if catalog(conn) != before:
            raise AssertionError("the schema after the load differs from the migrated one")
        unchecked = conn.execute(
            f"SELECT conname FROM pg_constraint WHERE connamespace = {_PUBLIC} AND NOT convalidated"
        ).fetchall()
        if unchecked:
            raise AssertionError(f"constraints not validated: {unchecked}")
    with Store(url) as store:
        version = schema_version(store.db)
    if version != SCHEMA_VERSION:
        raise AssertionError(f"schema version {version}, the code's is {SCHEMA_VERSION}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # statistics, and the visibility map for index-only scans
    phase("VACUUM ANALYZE", at)
    facts.update(seconds=time.perf_counter() - started, phases=phases)
    return facts


def table_checksums(side: Side, columns_of: Callable[[str], tuple[str, ...]]) -> dict[str, tuple[int, str]]:
    """Rows and checksum of every table of the copy's list, in one snapshot, with the columns in
    `columns_of(table)`'s order (the same order on both sides); and each counted table's next id."""
    sums = {}
    with side.reading():
        for table, order in TABLES:
            checksum = Checksum()
            for row in side.rows(table, columns_of(table), order):
                checksum.add(row)
            sums[table] = (checksum.rows, checksum.hex)
        for table in COUNTED_IDS:
            sums[f"{table} next id"] = (side.next_id(table), "")
    return sums
