"""The state database's schema (state and audit trail) as numbered migrations, the same on both
engines; the version record is the engine's (SQLite's `PRAGMA user_version`, a table on PostgreSQL).

Each migration runs once, inside the transaction of database.migrate(); one statement per
execute (executescript() would commit that transaction half-way). `ddl` is the engine's module
(broker.storage.sqlite_engine or .postgres_engine): the words and the DDL the engines spell
differently.
"""

from broker.storage import database


def _run(conn, statements: tuple[str, ...]) -> None:
    for statement in statements:
        conn.execute(statement)


def _v1_state(conn, ddl) -> None:
    # IF NOT EXISTS: the first releases created these on every start and set version 1 after
    _run(
        conn,
        (
            f"""CREATE TABLE IF NOT EXISTS flows (
                id TEXT PRIMARY KEY,
                browser TEXT NOT NULL,
                sp_entity_id TEXT NOT NULL,
                request_id TEXT NOT NULL,
                acs_url TEXT NOT NULL,
                relay_state TEXT,
                force_authn INTEGER NOT NULL DEFAULT 0,
                requested_context TEXT,
                upstream_request_id TEXT UNIQUE,
                session_id TEXT,
                choices TEXT,
                created {ddl.FLOAT} NOT NULL,
                expires {ddl.FLOAT} NOT NULL,
                requested_giver TEXT,
                requested_taker TEXT,
                switch INTEGER NOT NULL DEFAULT 0
            )""",
            f"""CREATE TABLE IF NOT EXISTS sessions (
                id TEXT PRIMARY KEY,
                person TEXT NOT NULL,
                person_name TEXT NOT NULL,
                authn_context TEXT NOT NULL,
                authn_instant TEXT NOT NULL,
                upstream_name_id TEXT NOT NULL,
                upstream_name_id_format TEXT,
                upstream_session_index TEXT,
                created {ddl.FLOAT} NOT NULL,
                expires {ddl.FLOAT} NOT NULL,
                last_seen {ddl.FLOAT} NOT NULL,
                ended {ddl.FLOAT}
            )""",
            """CREATE TABLE IF NOT EXISTS participants (
                session_id TEXT NOT NULL REFERENCES sessions(id),
                sp_entity_id TEXT NOT NULL,
                name_id TEXT NOT NULL,
                name_id_format TEXT NOT NULL,
                session_index TEXT NOT NULL,
                option_key TEXT NOT NULL,
                PRIMARY KEY (session_id, sp_entity_id)
            )""",
            f"""CREATE TABLE IF NOT EXISTS logouts (
                id TEXT PRIMARY KEY,
                session_id TEXT NOT NULL,
                initiator TEXT,
                initiator_request_id TEXT,
                relay_state TEXT,
                pending TEXT NOT NULL,
                outstanding_request_id TEXT,
                created {ddl.FLOAT} NOT NULL,
                expires {ddl.FLOAT} NOT NULL
            )""",
            f"CREATE TABLE IF NOT EXISTS seen_assertions (id TEXT PRIMARY KEY, expires {ddl.FLOAT} NOT NULL)",
            "CREATE INDEX IF NOT EXISTS flows_expires ON flows(expires)",
            "CREATE INDEX IF NOT EXISTS seen_assertions_expires ON seen_assertions(expires)",
        ),
    )


# Directed login and switch came later, still at version 1: older version-1 files lack them.
_LATE_FLOW_COLUMNS = (
    ("requested_giver", "TEXT"),
    ("requested_taker", "TEXT"),
    ("switch", "INTEGER NOT NULL DEFAULT 0"),
)


def _v2_audit_and_late_flow_columns(conn, ddl) -> None:
    present = ddl.columns(conn, "flows")
    for name, kind in _LATE_FLOW_COLUMNS:
        if name not in present:
            conn.execute(f"ALTER TABLE flows ADD COLUMN {name} {kind}")
    # The audit trail had no version of its own: a version-1 file may already hold it.
    # Triggers make it append-only for every writer, not just broker.storage.audit.
    _run(
        conn,
        (
            f"""CREATE TABLE IF NOT EXISTS audit (
                seq {ddl.AUTO_KEY},
                at TEXT NOT NULL,
                application TEXT,
                person TEXT,
                outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'refused')),
                kind TEXT,
                giver TEXT,
                taker TEXT,
                mandate_id TEXT,
                mandate_type TEXT,
                reason TEXT
            )""",
            "CREATE INDEX IF NOT EXISTS audit_at ON audit(at)",
        ),
    )
    ddl.append_only(conn, "audit", "the audit trail is append-only")


def _v3_purge(conn, ddl) -> None:
    # `schedule`: when a task last ran, claimed with a conditional UPDATE so that one worker of
    # all those on this file runs it per period. The indexes serve the purge's searches.
    _run(
        conn,
        (
            f"CREATE TABLE schedule (task TEXT PRIMARY KEY, last_run {ddl.FLOAT} NOT NULL)",
            "INSERT INTO schedule (task, last_run) VALUES ('purge', 0)",
            "CREATE INDEX sessions_expires ON sessions(expires)",
            "CREATE INDEX sessions_ended ON sessions(ended)",
            "CREATE INDEX logouts_expires ON logouts(expires)",
            "CREATE INDEX flows_session ON flows(session_id)",
            "CREATE INDEX logouts_session ON logouts(session_id)",
        ),
    )


def _v4_heartbeat(conn, ddl) -> None:
    # one row that /readyz writes, to see that a login's writes would succeed (StateStore.probe_write, either engine)
    _run(
        conn,
        (
            f"CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at {ddl.FLOAT} NOT NULL)",
            "INSERT INTO heartbeat (id, at) VALUES (1, 0)",
        ),
    )


def _v5_audit_entries(conn, ddl) -> None:
    # The audit as it reads today. A stored 'answered' means an assertion was issued (the broker
    # cannot see the browser deliver it); the append-only table and its CHECK keep the old word,
    # since rewriting rows is what the trail forbids.
    conn.execute(
        """CREATE VIEW audit_entries AS SELECT seq, at, application, person,
            CASE outcome WHEN 'answered' THEN 'issued' ELSE outcome END AS outcome,
            kind, giver, taker, mandate_id, mandate_type, reason FROM audit"""
    )


def _v6_requested_subject(conn, ddl) -> None:
    # the NameID an application's AuthnRequest named as its Subject: the answer must be for it
    conn.execute("ALTER TABLE flows ADD COLUMN requested_name_id TEXT")


def _v7_participants_in_order(conn, ddl) -> None:
    # Single Logout visits the applications in the order they joined; SQLite's rowid said it, which
    # PostgreSQL has no equivalent of: an increasing column of its own on both engines.
    ddl.add_sequence(
        conn,
        "participants",
        "seq",
        """CREATE TABLE {table} (
            seq {auto_key},
            session_id TEXT NOT NULL REFERENCES sessions(id),
            sp_entity_id TEXT NOT NULL,
            name_id TEXT NOT NULL,
            name_id_format TEXT NOT NULL,
            session_index TEXT NOT NULL,
            option_key TEXT NOT NULL,
            UNIQUE (session_id, sp_entity_id)
        )""",
    )
    conn.execute("CREATE INDEX IF NOT EXISTS participants_name_id ON participants(sp_entity_id, name_id)")


MIGRATIONS = (
    _v1_state,
    _v2_audit_and_late_flow_columns,
    _v3_purge,
    _v4_heartbeat,
    _v5_audit_entries,
    _v6_requested_subject,
    _v7_participants_in_order,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn) -> int:
    return database.migrate(conn, MIGRATIONS)
