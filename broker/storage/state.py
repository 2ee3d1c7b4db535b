"""What one login needs between two requests, kept in the state database (an SQLite file or
PostgreSQL) so that any worker, on any node sharing the database, can continue it.

Flows (an application's outstanding request, with the chooser's tokens), SSO sessions with the
applications they reached, logouts in progress, and the replay cache of upstream assertion IDs.
Every SQL statement on these tables is here, written once for both engines; the tables themselves
are in broker.storage.schema.
"""

import contextlib
import json
import secrets
import time
from dataclasses import dataclass, fields

from broker.storage import database, schema

# Rows deleted per transaction: a purge of a large backlog never holds the write lock for long.
PURGE_BATCH = 500


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
    # directed login and switch (README "Directed login")
    requested_giver: str | None = None
    requested_taker: str | None = None
    switch: int = 0
    requested_name_id: str | None = None  # the request's Subject (SAML core 3.4.1.4)

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


def _columns(cls) -> str:
    return ", ".join(field.name for field in fields(cls))


_FLOW, _SESSION, _PARTICIPANT, _LOGOUT = (_columns(cls) for cls in (Flow, Session, Participant, Logout))
_FLOW_FIELDS = frozenset(field.name for field in fields(Flow))


def _row(record) -> dict:
    """A record's columns. Every value is a str, a number or None: dataclasses.asdict's deep copy,
    which costs more CPU than the INSERT itself, buys nothing."""
    return dict(vars(record))


# Ended or expired sessions that no live flow (its refusal is audited with the session's person)
# or logout in progress still names.
_DONE_SESSIONS = """
    SELECT id FROM sessions
    WHERE (ended IS NOT NULL OR expires < :now)
      AND id NOT IN (SELECT session_id FROM flows WHERE session_id IS NOT NULL AND expires >= :now)
      AND id NOT IN (SELECT session_id FROM logouts WHERE expires >= :now)
    LIMIT :batch"""


class StateStore:
    """One state database: an SQLite path (one connection per thread, reused) or a PostgreSQL URL
    (a pool per process)."""

    def __init__(self, path: str, flow_lifetime: float = 900):
        self.path = path
        self.flow_lifetime = flow_lifetime
        self._db = database.open_database(path, schema.MIGRATIONS)
        self.engine = self._db.engine

    @property
    def conn(self):
        """sqlite3.Connection, or postgres_engine.Connection (the same execute())."""
        return self._db.conn

    def probe_write(self) -> None:
        """Raise unless a login's writes to this database would succeed now (/readyz)."""
        self._db.probe_write(schema.SCHEMA_VERSION)

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def transaction(self):
        """One commit for several writes of one step; inside another transaction, part of that one."""
        with database.transaction(self.conn) as conn:
            yield conn

    def _one(self, cls, sql: str, params) -> object | None:
        row = self.conn.execute(sql, params).fetchone()
        return cls(**row) if row else None

    # flows
    def new_flow(self, upstream_request_id: str | None = None, **values) -> Flow:
        """A flow not stored yet: a step that answers at once never needs its row."""
        now = time.time()
        return Flow(
            id=new_id(),
            upstream_request_id=upstream_request_id,
            session_id=None,
            choices=None,
            created=now,
            expires=now + self.flow_lifetime,
            **values,
        )

    def insert_flow(self, flow: Flow) -> None:
        database.insert(self.conn, "flows", _row(flow))

    def create_flow(self, upstream_request_id: str | None = None, **values) -> Flow:
        flow = self.new_flow(upstream_request_id, **values)
        self.insert_flow(flow)
        return flow

    def flow(self, flow_id: str, browser: str) -> Flow | None:
        """A live flow, only for the browser that started it."""
        return self._one(
            Flow, f"SELECT {_FLOW} FROM flows WHERE id=? AND browser=? AND expires>?", (flow_id, browser, time.time())
        )

    def flow_for_upstream(self, upstream_request_id: str, browser: str) -> Flow | None:
        return self._one(
            Flow,
            f"SELECT {_FLOW} FROM flows WHERE upstream_request_id=? AND browser=? AND expires>?",
            (upstream_request_id, browser, time.time()),
        )

    def update_flow(self, flow_id: str, **values) -> None:
        unknown = set(values) - _FLOW_FIELDS
        if unknown:
            raise ValueError(f"flows have no column {', '.join(sorted(unknown))}")
        columns = ", ".join(f"{name}=?" for name in values)
        self.conn.execute(f"UPDATE flows SET {columns} WHERE id=?", (*values.values(), flow_id))

    def finish_flow(self, flow_id: str) -> bool:
        """Delete the flow; False when another request finished it first (a double submit)."""
        return self.conn.execute("DELETE FROM flows WHERE id=?", (flow_id,)).rowcount == 1

    # sessions
    def new_session(self, lifetime: float, **values) -> Session:
        """A session not stored yet (insert_session stores it), so that it can be written in the
        transaction that also records the answer."""
        now = time.time()
        return Session(id=new_id(), created=now, expires=now + lifetime, last_seen=now, ended=None, **values)

    def insert_session(self, session: Session) -> None:
        database.insert(self.conn, "sessions", _row(session))

    def create_session(self, lifetime: float, **values) -> Session:
        session = self.new_session(lifetime, **values)
        self.insert_session(session)
        return session

    def session(self, session_id: str, idle_timeout: float) -> Session | None:
        now = time.time()
        session = self._one(
            Session,
            f"SELECT {_SESSION} FROM sessions WHERE id=? AND ended IS NULL AND expires>? AND last_seen>?",
            (session_id, now, now - idle_timeout),
        )
        if session and now - session.last_seen > 30:
            self.conn.execute("UPDATE sessions SET last_seen=? WHERE id=?", (now, session_id))
        return session

    def session_record(self, session_id: str) -> Session | None:
        """A session whatever its state, for logout."""
        return self._one(Session, f"SELECT {_SESSION} FROM sessions WHERE id=?", (session_id,))

    def sessions_of_upstream_subject(self, upstream_name_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT id FROM sessions WHERE upstream_name_id=? AND ended IS NULL", (upstream_name_id,)
        ).fetchall()
        return [row["id"] for row in rows]

    def end_session(self, session_id: str) -> None:
        self.conn.execute("UPDATE sessions SET ended=? WHERE id=?", (time.time(), session_id))

    def add_participant(self, participant: Participant) -> None:
        database.upsert(self.conn, "participants", _row(participant), key=("session_id", "sp_entity_id"))

    def participants(self, session_id: str) -> list[Participant]:
        rows = self.conn.execute(
            f"SELECT {_PARTICIPANT} FROM participants WHERE session_id=? ORDER BY seq", (session_id,)
        ).fetchall()
        return [Participant(**row) for row in rows]

    def session_of_participant(self, sp_entity_id: str, name_id: str, session_index: str | None) -> str | None:
        row = self.conn.execute(
            "SELECT p.session_id FROM participants p JOIN sessions s ON s.id=p.session_id "
            "WHERE p.sp_entity_id=? AND p.name_id=? AND (CAST(? AS TEXT) IS NULL OR p.session_index=?) AND s.ended IS NULL",
            (sp_entity_id, name_id, session_index, session_index),
        ).fetchone()
        return row["session_id"] if row else None

    # logouts
    def create_logout(self, session_id: str, initiator, initiator_request_id, relay_state, pending: list) -> Logout:
        now = time.time()
        logout = Logout(
            id=new_id(),
            session_id=session_id,
            initiator=initiator,
            initiator_request_id=initiator_request_id,
            relay_state=relay_state,
            pending=json.dumps(pending),
            outstanding_request_id=None,
            created=now,
            expires=now + self.flow_lifetime,
        )
        database.insert(self.conn, "logouts", _row(logout))
        return logout

    def logout(self, logout_id: str) -> Logout | None:
        return self._one(Logout, f"SELECT {_LOGOUT} FROM logouts WHERE id=? AND expires>?", (logout_id, time.time()))

    def update_logout(self, logout_id: str, pending: list, outstanding_request_id: str | None) -> None:
        self.conn.execute(
            "UPDATE logouts SET pending=?, outstanding_request_id=? WHERE id=?",
            (json.dumps(pending), outstanding_request_id, logout_id),
        )

    def finish_logout(self, logout_id: str) -> None:
        self.conn.execute("DELETE FROM logouts WHERE id=?", (logout_id,))

    # replay
    def first_sighting(self, assertion_id: str, expires: float) -> bool:
        """Record an assertion ID until `expires`; False when it was seen before (a replay), in any process.

        The record stays at least flow_lifetime: an assertion answers one flow, which lives no
        longer than that, so even an assertion with an absurd NotOnOrAfter is refused while it
        could be accepted (the default 15 minutes exceed REQUEST_MAX_AGE plus clock skew)."""
        keep_until = max(expires, time.time() + self.flow_lifetime)
        return database.insert_new(self.conn, "seen_assertions", {"id": assertion_id, "expires": keep_until}, ("id",))

    # housekeeping
    def claim_purge(self, every: float, now: float | None = None) -> bool:
        """True for the one caller, of all processes on this database, that may purge now: nobody did
        in the last `every` seconds. The read spares the write lock while the period runs. Race-free
        on PostgreSQL too: a second UPDATE waits for the first's row lock, then finds its WHERE false."""
        now = time.time() if now is None else now
        last = self.conn.execute("SELECT last_run FROM schedule WHERE task='purge'").fetchone()["last_run"]
        if last > now - every:
            return False
        claimed = self.conn.execute(
            "UPDATE schedule SET last_run=? WHERE task='purge' AND last_run<=?", (now, now - every)
        )
        return claimed.rowcount == 1

    def purge(self, now: float | None = None) -> dict[str, int]:
        """Delete what no request can use any more; returns how many rows of each kind went."""
        now = time.time() if now is None else now
        flows, logouts = self._purge_expired("flows", now), self._purge_expired("logouts", now)
        sessions, participants = self._purge_sessions(now)  # after flows and logouts: they may hold sessions
        return {
            "flows": flows,
            "logouts": logouts,
            "sessions": sessions,
            "participants": participants,
            "seen_assertions": self._purge_expired("seen_assertions", now),
        }

    def _purge_expired(self, table: str, now: float) -> int:
        total = 0
        while True:
            with self.transaction() as conn:
                deleted = conn.execute(
                    f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE expires<? LIMIT ?)",
                    (now, PURGE_BATCH),
                ).rowcount
            total += deleted
            if deleted < PURGE_BATCH:
                return total

    def _purge_sessions(self, now: float) -> tuple[int, int]:
        sessions = participants = 0
        while True:
            with self.transaction() as conn:
                ids = [(row["id"],) for row in conn.execute(_DONE_SESSIONS, {"now": now, "batch": PURGE_BATCH})]
                if not ids:
                    return sessions, participants
                participants += conn.executemany("DELETE FROM participants WHERE session_id=?", ids).rowcount
                sessions += conn.executemany("DELETE FROM sessions WHERE id=?", ids).rowcount
            if len(ids) < PURGE_BATCH:
                return sessions, participants
