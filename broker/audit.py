"""The audit trail: one row per decision, append-only, in SQLite.

Only what a helpdesk or an investigator needs: when, which application, which person (national
number), what was chosen (kind, giver, taker, mandate id and type) or why it was refused. Never a
SAML message, never a name or any other personal data. Triggers make the table append-only for
every writer, not just this module.
"""

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""

COLUMNS = (
    "seq",
    "at",
    "application",
    "person",
    "outcome",
    "kind",
    "giver",
    "taker",
    "mandate_id",
    "mandate_type",
    "reason",
)


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    application: str | None
    person: str | None
    outcome: str
    kind: str | None
    giver: str | None
    taker: str | None
    mandate_id: str | None
    mandate_type: str | None
    reason: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class AuditTrail:
    def __init__(self, path: str, connection=None):
        """`connection`: a callable giving the connection to write with, so that an entry can be
        part of the transaction that makes the decision it records (the broker's state store)."""
        self.path = path
        self._local = threading.local()
        self._connection = connection
        self.conn.executescript(_SCHEMA)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = sqlite3.connect(
                self.path, timeout=10, isolation_level=None, check_same_thread=False
            )
        return conn

    def answered(self, application: str, person: str, option) -> None:
        """`option`: a mandates_store LoginOption; the giver is the represented party."""
        taker = option.intermediary.number if option.intermediary is not None else None
        self._insert(
            application,
            person,
            "answered",
            kind=option.kind,
            giver=option.represented.number,
            taker=taker,
            mandate_id=_text(option.mandate_id),
            mandate_type=option.mandate_type,
        )

    def refused(self, reason: str, application: str | None = None, person: str | None = None) -> None:
        self._insert(application, person, "refused", reason=reason)

    def _insert(self, application, person, outcome, **values) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, application, person, outcome, kind, giver, taker, mandate_id, mandate_type, reason)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                _now(),
                application,
                person,
                outcome,
                values.get("kind"),
                values.get("giver"),
                values.get("taker"),
                values.get("mandate_id"),
                values.get("mandate_type"),
                values.get("reason"),
            ),
        )

    def entries(
        self,
        since: str | None = None,
        application: str | None = None,
        person: str | None = None,
        outcome: str | None = None,
    ) -> list[Entry]:
        where, params = [], []
        for column, op, value in (
            ("at", ">=", since),
            ("application", "=", application),
            ("person", "=", person),
            ("outcome", "=", outcome),
        ):
            if value is not None:
                where.append(f"{column} {op} ?")
                params.append(value)
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
        return [Entry(*row) for row in self.conn.execute(sql, params)]


def _text(value) -> str | None:
    return None if value is None else str(value)
