"""The SQLite schema as numbered migrations; `PRAGMA user_version` holds the applied number.

Tables are created through sqlite-utils; the rules SQLite can hold itself (kinds, giver != taker,
one active mandate per type/giver/taker, allowed combinations) are CHECKs and triggers, so even a
hand-written INSERT cannot break them. mandates_store/schema.py says what both engines share.
"""

from collections.abc import Callable

import sqlite_utils

from mandates_store.schema import (
    FIRST_MANDATE_ID,
    GIVER_NAME,
    LOGIN_INDEX,
    PARTY_NUMBERS,
    SCHEMA_VERSION,
    SEARCH_INDEXES,
    SIGNED_INDEX,
    SIGNED_KEY,
    SIGNED_ONLY,
    conflict_rule,
)


def _v1_core(db: sqlite_utils.Database) -> None:
    db["parties"].create(
        {"number": str, "kind": str, "name": str, "street": str, "house_number": str, "postcode": str, "city": str},
        pk="number",
        not_null={"kind", "name"},
    )
    db["mandate_types"].create(
        {
            "code": str,
            "name_nl": str,
            "name_fr": str,
            "name_de": str,
            "name_en": str,
            "contract_nl": str,
            "contract_fr": str,
            "contract_de": str,
            "contract_en": str,
        },
        pk="code",
    )
    db["mandate_type_combinations"].create(
        {"type_code": str, "giver_kind": str, "taker_kind": str},
        pk=("type_code", "giver_kind", "taker_kind"),
        foreign_keys=[("type_code", "mandate_types", "code")],
    )
    db.execute("""
        CREATE TABLE mandates (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type_code TEXT NOT NULL REFERENCES mandate_types(code),
            giver TEXT NOT NULL REFERENCES parties(number),
            taker TEXT NOT NULL REFERENCES parties(number),
            state TEXT NOT NULL CHECK (state IN ('awaiting', 'signed', 'stopped')),
            signer TEXT NOT NULL REFERENCES parties(number),
            start_date TEXT NOT NULL,
            end_date TEXT,
            reference TEXT,
            language TEXT NOT NULL CHECK (language IN ('nl', 'fr', 'de', 'en')),
            created_at TEXT NOT NULL,
            signed_at TEXT,
            stopped_at TEXT,
            stop_reason TEXT,
            changed_by TEXT NOT NULL CHECK (changed_by IN ('giver', 'taker', 'administrator')),
            changed_at TEXT NOT NULL,
            transfer_of INTEGER REFERENCES mandates(id),
            CHECK (giver <> taker),
            CHECK (signer IN (giver, taker)),
            CHECK (end_date IS NULL OR end_date > start_date)
        )""")
    # The seeds show ids like 5710246; AUTOINCREMENT never reuses an id.
    db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('mandates', ?)", [FIRST_MANDATE_ID - 1])
    db["mandate_events"].create(
        {
            "id": int,
            "mandate_id": int,
            "at": str,
            "event": str,
            "role": str,
            "person": str,
            "party": str,
            "detail": str,
        },
        pk="id",
        not_null={"mandate_id", "at", "event", "role"},
        foreign_keys=[("mandate_id", "mandates", "id")],
    )
    db["work_relationships"].create(
        {"id": int, "person": str, "organisation": str, "valid_from": str, "valid_until": str},
        pk="id",
        not_null={"person", "organisation", "valid_from"},
        foreign_keys=[("person", "parties", "number"), ("organisation", "parties", "number")],
    )
    db["user_rights"].create(
        {"id": int, "person": str, "organisation": str, "name": str, "valid_from": str, "valid_until": str},
        pk="id",
        not_null={"person", "organisation", "name", "valid_from"},
        foreign_keys=[("person", "parties", "number"), ("organisation", "parties", "number")],
    )
    db["user_right_mandate_types"].create(
        {"right_id": int, "type_code": str},
        pk=("right_id", "type_code"),
        foreign_keys=[("right_id", "user_rights", "id"), ("type_code", "mandate_types", "code")],
    )
    db["user_right_givers"].create(
        {"right_id": int, "giver": str},
        pk=("right_id", "giver"),
        foreign_keys=[("right_id", "user_rights", "id"), ("giver", "parties", "number")],
    )
    db["legal_representatives"].create(
        {"id": int, "person": str, "enterprise": str, "function": str, "since": str, "until": str},
        pk="id",
        not_null={"person", "enterprise", "function", "since"},
        foreign_keys=[("person", "parties", "number"), ("enterprise", "parties", "number")],
    )
    db["bulk_operations"].create(
        {
            "id": int,
            "kind": str,
            "started_at": str,
            "finished_at": str,
            "person": str,
            "party": str,
            "role": str,
            "mandate_types": str,
            "source": str,
            "status": str,
            "lines_total": int,
            "lines_ok": int,
            "lines_failed": int,
        },
        pk="id",
        not_null={"kind", "started_at", "party", "status"},
        foreign_keys=[("party", "parties", "number")],
    )
    db["bulk_lines"].create(
        {"operation_id": int, "line_no": int, "input": str, "mandate_id": int, "ok": int, "reason": str},
        pk=("operation_id", "line_no"),
        foreign_keys=[("operation_id", "bulk_operations", "id")],
    )
    _v1_indexes(db)
    _v1_triggers(db)


def _v1_indexes(db: sqlite_utils.Database) -> None:
    # The login path: mandates taken by one party, by type; conflict check: type/giver/taker.
    db["mandates"].create_index(["taker", "type_code", "state"], index_name="mandates_by_taker")
    db["mandates"].create_index(["giver", "taker", "type_code"], index_name="mandates_by_giver")
    db["mandate_events"].create_index(["mandate_id"])
    db["parties"].create_index(["name"])
    db["parties"].create_index(["postcode", "street", "house_number"])
    db["work_relationships"].create_index(["person"])
    db["work_relationships"].create_index(["organisation"])
    db["user_rights"].create_index(["person"])
    db["legal_representatives"].create_index(["person"])
    db["legal_representatives"].create_index(["enterprise"])
    db["user_right_givers"].create_index(["giver"])


_TRIGGERS = [
    """
    CREATE TRIGGER parties_kind BEFORE INSERT ON parties
    WHEN NEW.kind NOT IN ('person', 'organisation')
      OR (NEW.kind = 'person' AND length(NEW.number) <> 11)
      OR (NEW.kind = 'organisation' AND length(NEW.number) <> 10)
    BEGIN SELECT RAISE(ABORT, 'party kind does not match its number'); END;
    """,
    """
    CREATE TRIGGER mandates_combination BEFORE INSERT ON mandates
    WHEN NOT EXISTS (
        SELECT 1 FROM mandate_type_combinations c
        WHERE c.type_code = NEW.type_code
          AND c.giver_kind = (SELECT kind FROM parties WHERE number = NEW.giver)
          AND c.taker_kind = (SELECT kind FROM parties WHERE number = NEW.taker))
    BEGIN SELECT RAISE(ABORT, 'giver/taker combination not allowed by the mandate type'); END;
    """,
    """
    CREATE TRIGGER mandates_fixed_parties BEFORE UPDATE OF giver, taker, type_code ON mandates
    BEGIN SELECT RAISE(ABORT, 'a mandate keeps its type, giver and taker; transfer makes a new one'); END;
    """,
    """
    CREATE TRIGGER mandate_events_append_only BEFORE UPDATE ON mandate_events
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    """,
    """
    CREATE TRIGGER mandate_events_no_delete BEFORE DELETE ON mandate_events
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    """,
]


_CONFLICT_TRIGGERS = {
    "mandates_one_active_insert": "BEFORE INSERT ON mandates WHEN NEW.state = 'signed' AND EXISTS "
    "(SELECT 1 FROM mandates m WHERE {rule})",
    "mandates_one_active_update": "BEFORE UPDATE OF state, start_date, end_date ON mandates "
    "WHEN NEW.state = 'signed' AND EXISTS (SELECT 1 FROM mandates m WHERE m.id <> NEW.id AND {rule})",
}


def _conflict_triggers(db: sqlite_utils.Database) -> None:
    for name, when in _CONFLICT_TRIGGERS.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(
            f"CREATE TRIGGER {name} {when.format(rule=conflict_rule('NEW.'))} "
            "BEGIN SELECT RAISE(ABORT, 'conflict: another active mandate for this type, giver and taker'); END"
        )


def _v1_triggers(db: sqlite_utils.Database) -> None:
    # One statement per execute: executescript() would commit the open migration transaction.
    for statement in _TRIGGERS:
        db.execute(statement)
    _conflict_triggers(db)


def _v2_bulk_line_mandates(db: sqlite_utils.Database) -> None:
    # A bulk line with several mandate types makes several mandates; v1's single
    # bulk_lines.mandate_id could not hold them and is left unused from v2 on.
    db["bulk_line_mandates"].create(
        {"operation_id": int, "line_no": int, "mandate_id": int},
        pk=("operation_id", "line_no", "mandate_id"),
        foreign_keys=[("operation_id", "bulk_operations", "id"), ("mandate_id", "mandates", "id")],
    )
    db["bulk_operations"].create_index(["party", "started_at"])


def _v3_covering_login_index(db: sqlite_utils.Database) -> None:
    # The login path reads only these columns: with all of them in the index, a firm with
    # thousands of givers costs no lookups in the (large) mandates table.
    db.execute("DROP INDEX mandates_by_taker")
    db["mandates"].create_index(
        ["taker", "type_code", "state", "start_date", "end_date", "giver"], index_name="mandates_by_taker"
    )


def _v4_covering_party_names(db: sqlite_utils.Database) -> None:
    # Login options join each mandate to its giver's kind and name: from this index alone, one
    # b-tree search per giver instead of two (primary key index, then the table).
    db["parties"].create_index(["number", "kind", "name"], index_name="parties_number_kind_name")


def _v5_resumable_bulk(db: sqlite_utils.Database) -> None:
    # Bulk imports commit lines in groups: the operation records how far it got (last_line,
    # committed with each group), which file it reads (its SHA-256, so a resume cannot continue
    # with another file) and which process runs it (pid and host: a dead process on this host
    # means the operation was interrupted and may be resumed).
    for column in ("last_line INTEGER", "source_sha256 TEXT", "pid INTEGER", "host TEXT"):
        db.execute(f"ALTER TABLE bulk_operations ADD COLUMN {column}")
    # The report tables only ever grow at their end and are read by their primary key: WITHOUT
    # ROWID keeps one b-tree per table instead of two (a bulk import writes a row per line).
    # v1's unused bulk_lines.mandate_id is left out.
    db.execute("""
        CREATE TABLE bulk_lines_v5 (
            operation_id INTEGER NOT NULL REFERENCES bulk_operations(id),
            line_no INTEGER NOT NULL,
            input TEXT,
            ok INTEGER,
            reason TEXT,
            PRIMARY KEY (operation_id, line_no)
        ) WITHOUT ROWID""")
    db.execute("INSERT INTO bulk_lines_v5 SELECT operation_id, line_no, input, ok, reason FROM bulk_lines")
    db.execute("""
        CREATE TABLE bulk_line_mandates_v5 (
            operation_id INTEGER NOT NULL REFERENCES bulk_operations(id),
            line_no INTEGER NOT NULL,
            mandate_id INTEGER NOT NULL REFERENCES mandates(id),
            PRIMARY KEY (operation_id, line_no, mandate_id)
        ) WITHOUT ROWID""")
    db.execute("INSERT INTO bulk_line_mandates_v5 SELECT operation_id, line_no, mandate_id FROM bulk_line_mandates")
    for table in ("bulk_lines", "bulk_line_mandates"):
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_v5 RENAME TO {table}")


def _v6_conflict_triggers(db: sqlite_utils.Database) -> None:
    # Up to v5 the triggers spelt the conflict rule out themselves (the same rule); from here
    # they are built from CONFLICT_RULE, like the code's check.
    _conflict_triggers(db)


def _v7_covering_search_indexes(db: sqlite_utils.Database) -> None:
    for name, columns in SEARCH_INDEXES.items():  # see schema.SEARCH_INDEXES
        db.execute(f"DROP INDEX {name}")
        db["mandates"].create_index(list(columns), index_name=name)


def _v8_idm_events(db: sqlite_utils.Database) -> None:
    # Gebruikersbeheer's history: every change a local administrator makes to work relationships
    # and rights, with who did it (actor), on behalf of which organisation (actor_party), when.
    db["idm_events"].create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "actor_party": str,
            "organisation": str,
            "person": str,
            "event": str,
            "right_name": str,
            "detail": str,
        },
        pk="id",
        not_null={"at", "actor", "actor_party", "organisation", "person", "event"},
        foreign_keys=[("organisation", "parties", "number"), ("person", "parties", "number")],
    )
    db["idm_events"].create_index(["organisation", "at"])
    db["idm_events"].create_index(["person", "at"])
    for statement in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER idm_events_no_{statement.lower()} BEFORE {statement} ON idm_events "
            "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
        )


def _v9_indexes_carry_the_id(db: sqlite_utils.Database) -> None:
    pass  # PostgreSQL's mandate indexes include the id (schema.COVERING_ID); SQLite's carry the rowid


def _v10_checks_per_statement(db: sqlite_utils.Database) -> None:
    pass  # PostgreSQL's combination check per statement; SQLite's row triggers cost no round trip


def _v11_lookup_indexes(db: sqlite_utils.Database) -> None:
    # see schema.SIGNED_INDEX; a partial index (SQLite 3.8+): an awaiting mandate is not in it.
    # (PostgreSQL's step 11 indexes the party numbers under "C": SQLite compares bytes already.)
    columns = ", ".join((*SIGNED_KEY, "state", "start_date", "end_date"))
    db.execute(f"CREATE INDEX {SIGNED_INDEX} ON mandates ({columns}) WHERE {SIGNED_ONLY}")


_GIVER_NAME_HELD = (
    f"WHEN NEW.{GIVER_NAME} IS NOT (SELECT name FROM parties WHERE number = NEW.giver) "
    "BEGIN SELECT RAISE(ABORT, 'a mandate carries its giver''s name as the party has it'); END"
)


def _v12_giver_names(db: sqlite_utils.Database) -> None:
    # see schema.GIVER_NAME; the login index gets the name as its last key column (SQLite's
    # indexes have no INCLUDE)
    db.execute(f"ALTER TABLE mandates ADD COLUMN {GIVER_NAME} TEXT")
    db.execute(f"DROP INDEX {LOGIN_INDEX}")
    db.execute(
        f"UPDATE mandates SET {GIVER_NAME} = "
        f"(SELECT name FROM parties INDEXED BY {PARTY_NUMBERS} WHERE number = mandates.giver)"
    )
    db["mandates"].create_index([*SEARCH_INDEXES[LOGIN_INDEX], GIVER_NAME], index_name=LOGIN_INDEX)
    if db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        db.execute(f"ANALYZE {LOGIN_INDEX}")  # a store with statistics has them for the new index too
    db.execute(f"CREATE TRIGGER mandates_giver_name_insert BEFORE INSERT ON mandates {_GIVER_NAME_HELD}")
    db.execute(
        f"CREATE TRIGGER mandates_giver_name_update BEFORE UPDATE OF {GIVER_NAME} ON mandates {_GIVER_NAME_HELD}"
    )
    db.execute(
        "CREATE TRIGGER parties_name_to_mandates AFTER UPDATE OF name ON parties WHEN NEW.name IS NOT OLD.name "
        f"BEGIN UPDATE mandates SET {GIVER_NAME} = NEW.name WHERE giver = NEW.number; END"
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core,
    _v2_bulk_line_mandates,
    _v3_covering_login_index,
    _v4_covering_party_names,
    _v5_resumable_bulk,
    _v6_conflict_triggers,
    _v7_covering_search_indexes,
    _v8_idm_events,
    _v9_indexes_carry_the_id,
    _v10_checks_per_statement,
    _v11_lookup_indexes,
    _v12_giver_names,
]
assert len(MIGRATIONS) == SCHEMA_VERSION


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the missing migrations in one transaction; returns the version reached."""
    if db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return SCHEMA_VERSION  # up to date: no write lock needed to open
    # BEGIN IMMEDIATE so two processes opening a new file do not both migrate.
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        version = db.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"store schema version {version} is newer than this code ({SCHEMA_VERSION})")
        for number in range(version, SCHEMA_VERSION):
            MIGRATIONS[number](db)
            db.conn.execute(f"PRAGMA user_version = {number + 1}")
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
