"""What one login needs between two requests, kept in SQLite so that any worker can continue it.

Flows (an application's outstanding request), SSO sessions with the applications they reached,
logouts in progress, and the replay cache of upstream assertion IDs.
"""

import contextlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass

import sqlite_utils

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flows (
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
    created REAL NOT NULL,
    expires REAL NOT NULL,
    requested_giver TEXT,
    requested_taker TEXT,
    switch INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    person TEXT NOT NULL,
    person_name TEXT NOT NULL,
    authn_context TEXT NOT NULL,
    authn_instant TEXT NOT NULL,
    upstream_name_id TEXT NOT NULL,
    upstream_name_id_format TEXT,
    upstream_session_index TEXT,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    last_seen REAL NOT NULL,
    ended REAL
);
CREATE TABLE IF NOT EXISTS participants (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    sp_entity_id TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_id_format TEXT NOT NULL,
    session_index TEXT NOT NULL,
    option_key TEXT NOT NULL,
    PRIMARY KEY (session_id, sp_entity_id)
);
CREATE TABLE IF NOT EXISTS logouts (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    initiator TEXT,
    initiator_request_id TEXT,
    relay_state TEXT,
    pending TEXT NOT NULL,
    outstanding_request_id TEXT,
    created REAL NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen_assertions (
    id TEXT PRIMARY KEY,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS flows_expires ON flows(expires);
CREATE INDEX IF NOT EXISTS seen_assertions_expires ON seen_assertions(expires);
"""


# columns added after a state file may already exist: ALTER TABLE adds them once (idempotent)
_FLOW_COLUMNS_ADDED = (
    ("requested_giver", "TEXT"),
    ("requested_taker", "TEXT"),
    ("switch", "INTEGER NOT NULL DEFAULT 0"),
)


def _add_missing_columns(conn: sqlite3.Connection, table: str, columns) -> None:
    present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    for name, kind in columns:
        if name not in present:
            try:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as error:  # another process added it first
                if "duplicate column" not in str(error):
                    raise


def new_id() -> str:
    """An opaque identifier that is also a valid xs:ID (it must not start with a digit)."""
    return "_" + secrets.token_hex(16)


@dataclass
class Flow:
    id: str
    browser: str
    sp_entity_id: str
    request_id: str
    acs_url: str
    relay_state: str | None
    force_authn: int
    requested_context: str | None
    upstream_request_id: str | None
    session_id: str | None
    choices: str | None
    created: float
    expires: float
    # directed login and switch (README "Directed login"); last, in the order ALTER TABLE adds them
    requested_giver: str | None = None
    requested_taker: str | None = None
    switch: int = 0

    @property
    def choice_map(self) -> dict[str, str]:
        return json.loads(self.choices) if self.choices else {}


@dataclass
class Session:
    id: str
    person: str
    person_name: str
    authn_context: str
    authn_instant: str
    upstream_name_id: str
    upstream_name_id_format: str | None
    upstream_session_index: str | None
    created: float
    expires: float
    last_seen: float
    ended: float | None


@dataclass
class Participant:
    session_id: str
    sp_entity_id: str
    name_id: str
    name_id_format: str
    session_index: str
    option_key: str


@dataclass
class Logout:
    id: str
    session_id: str
    initiator: str | None
    initiator_request_id: str | None
    relay_state: str | None
    pending: str
    outstanding_request_id: str | None
    created: float
    expires: float


class StateStore:
    """One SQLite file; one connection per thread, reused."""

    def __init__(self, path: str, flow_lifetime: float = 900):
        self.path = path
        self.flow_lifetime = flow_lifetime
        self._local = threading.local()
        db = sqlite_utils.Database(self._connect())
        db.executescript(_SCHEMA)
        _add_missing_columns(db.conn, "flows", _FLOW_COLUMNS_ADDED)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    @contextlib.contextmanager
    def transaction(self):
        """One commit for several writes of one step; inside another transaction, part of that one."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _one(self, cls, sql: str, params) -> object | None:
        row = self.conn.execute(sql, params).fetchone()
        return cls(*row) if row else None

    # flows
    def create_flow(self, upstream_request_id: str | None = None, **values) -> Flow:
        now = time.time()
        flow = Flow(
            id=new_id(),
            upstream_request_id=upstream_request_id,
            session_id=None,
            choices=None,
            created=now,
            expires=now + self.flow_lifetime,
            **values,
        )
        self.conn.execute(
            f"INSERT INTO flows ({', '.join(flow.__dict__)}) VALUES ({', '.join('?' * len(flow.__dict__))})",
            tuple(flow.__dict__.values()),
        )
        return flow

    def flow(self, flow_id: str, browser: str) -> Flow | None:
        """A live flow, only for the browser that started it."""
        return self._one(
            Flow, "SELECT * FROM flows WHERE id=? AND browser=? AND expires>?", (flow_id, browser, time.time())
        )

    def flow_for_upstream(self, upstream_request_id: str, browser: str) -> Flow | None:
        return self._one(
            Flow,
            "SELECT * FROM flows WHERE upstream_request_id=? AND browser=? AND expires>?",
            (upstream_request_id, browser, time.time()),
        )

    def update_flow(self, flow_id: str, **values) -> None:
        columns = ", ".join(f"{name}=?" for name in values)
        self.conn.execute(f"UPDATE flows SET {columns} WHERE id=?", (*values.values(), flow_id))

    def finish_flow(self, flow_id: str) -> bool:
        """Delete the flow; False when another request finished it first (a double submit)."""
        return self.conn.execute("DELETE FROM flows WHERE id=?", (flow_id,)).rowcount == 1

    # sessions
    def create_session(self, lifetime: float, **values) -> Session:
        now = time.time()
        session = Session(id=new_id(), created=now, expires=now + lifetime, last_seen=now, ended=None, **values)
        self.conn.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", tuple(session.__dict__.values()))
        return session

    def session(self, session_id: str, idle_timeout: float) -> Session | None:
        now = time.time()
        session = self._one(
            Session,
            "SELECT * FROM sessions WHERE id=? AND ended IS NULL AND expires>? AND last_seen>?",
            (session_id, now, now - idle_timeout),
        )
        if session and now - session.last_seen > 30:
            self.conn.execute("UPDATE sessions SET last_seen=? WHERE id=?", (now, session_id))
        return session

    def session_record(self, session_id: str) -> Session | None:
        """A session whatever its state, for logout."""
        return self._one(Session, "SELECT * FROM sessions WHERE id=?", (session_id,))

    def sessions_of_upstream_subject(self, upstream_name_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT id FROM sessions WHERE upstream_name_id=? AND ended IS NULL", (upstream_name_id,)
        ).fetchall()
        return [row[0] for row in rows]

    def end_session(self, session_id: str) -> None:
        self.conn.execute("UPDATE sessions SET ended=? WHERE id=?", (time.time(), session_id))

    def add_participant(self, participant: Participant) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO participants VALUES (?,?,?,?,?,?)", tuple(participant.__dict__.values())
        )

    def participants(self, session_id: str) -> list[Participant]:
        rows = self.conn.execute(
            "SELECT * FROM participants WHERE session_id=? ORDER BY rowid", (session_id,)
        ).fetchall()
        return [Participant(*row) for row in rows]

    def participant(self, session_id: str, sp_entity_id: str) -> Participant | None:
        return self._one(
            Participant, "SELECT * FROM participants WHERE session_id=? AND sp_entity_id=?", (session_id, sp_entity_id)
        )

    def session_of_participant(self, sp_entity_id: str, name_id: str, session_index: str | None) -> str | None:
        row = self.conn.execute(
            "SELECT p.session_id FROM participants p JOIN sessions s ON s.id=p.session_id "
            "WHERE p.sp_entity_id=? AND p.name_id=? AND (? IS NULL OR p.session_index=?) AND s.ended IS NULL",
            (sp_entity_id, name_id, session_index, session_index),
        ).fetchone()
        return row[0] if row else None

    # logouts
    def create_logout(self, session_id: str, initiator, initiator_request_id, relay_state, pending: list) -> Logout:
        now = time.time()
        logout = Logout(
            new_id(),
            session_id,
            initiator,
            initiator_request_id,
            relay_state,
            json.dumps(pending),
            None,
            now,
            now + self.flow_lifetime,
        )
        self.conn.execute("INSERT INTO logouts VALUES (?,?,?,?,?,?,?,?,?)", tuple(logout.__dict__.values()))
        return logout

    def logout(self, logout_id: str) -> Logout | None:
        return self._one(Logout, "SELECT * FROM logouts WHERE id=? AND expires>?", (logout_id, time.time()))

    def update_logout(self, logout_id: str, pending: list, outstanding_request_id: str | None) -> None:
        self.conn.execute(
            "UPDATE logouts SET pending=?, outstanding_request_id=? WHERE id=?",
            (json.dumps(pending), outstanding_request_id, logout_id),
        )

    def finish_logout(self, logout_id: str) -> None:
        self.conn.execute("DELETE FROM logouts WHERE id=?", (logout_id,))

    # replay
    def first_sighting(self, assertion_id: str, expires: float) -> bool:
        """Record an assertion ID; False when it was seen before (a replay), in any process."""
        try:
            self.conn.execute("INSERT INTO seen_assertions VALUES (?,?)", (assertion_id, expires))
        except sqlite3.IntegrityError:
            return False
        return True

    def purge(self) -> None:
        now = time.time()
        with self.conn:
            self.conn.execute("DELETE FROM flows WHERE expires<?", (now,))
            self.conn.execute("DELETE FROM logouts WHERE expires<?", (now,))
            self.conn.execute("DELETE FROM seen_assertions WHERE expires<?", (now,))
