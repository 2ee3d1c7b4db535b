"""The audit trail: one row per decision, append-only, in the state database (either engine).

Only what a helpdesk or an investigator needs: when, which application, which person (national
number), what was chosen (kind, giver, taker, mandate id and type) or why it was refused. Never a
SAML message, never a name or any other personal data. The table and its append-only triggers are
in broker.storage.schema, with the state's: one database, one schema version.

An `issued` entry means the broker signed and sent an assertion: its transaction committed before
the response left. Whether the browser delivered it to the application the broker cannot know (a
worker killed in between leaves one); the application's own log is the delivery side of the audit.
Rows of that kind are stored as 'answered' (the table's append-only CHECK); the view audit_entries
reads them as 'issued'.
"""

from dataclasses import dataclass, fields
from datetime import UTC, datetime

from broker.storage import database, schema


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


COLUMNS = tuple(field.name for field in fields(Entry))
OUTCOMES = ("issued", "refused")
STORED_ISSUED = "answered"  # the stored word for "issued": the table's CHECK predates the rename


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class AuditTrail:
    def __init__(self, path: str, connection=None):
        """`connection`: a callable giving the connection to write with, so that an entry can be
        part of the transaction that makes the decision it records (the broker's state store,
        which has migrated the database already)."""
        self.path = path
        self._connection = connection
        if connection is None:
            self._db = database.open_database(path, schema.MIGRATIONS)

    @property
    def conn(self):
        return self._connection() if self._connection is not None else self._db.conn

    def issued(self, application: str, person: str, option) -> None:
        """An assertion issued to the application. `option`: a mandates_store LoginOption; the
        giver is the represented party."""
        taker = option.intermediary.number if option.intermediary is not None else None
        self._insert(
            application,
            person,
            STORED_ISSUED,
            kind=option.kind,
            giver=option.represented.number,
            taker=taker,
            mandate_id=_text(option.mandate_id),
            mandate_type=option.mandate_type,
        )

    def refused(self, reason: str, application: str | None = None, person: str | None = None) -> None:
        self._insert(application, person, "refused", reason=reason)

    def _insert(self, application, person, outcome, **values) -> None:
        row = dict(at=_now(), application=application, person=person, outcome=outcome, **values)
        with database.transaction(self.conn) as conn:
            database.insert(conn, "audit", row)

    def entries(
        self,
        since: str | None = None,
        application: str | None = None,
        person: str | None = None,
        outcome: str | None = None,
    ) -> list[Entry]:
        """outcome: issued or refused (the old word answered means issued)."""
        if outcome == STORED_ISSUED:
            outcome = "issued"
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
        sql = f"SELECT {', '.join(COLUMNS)} FROM audit_entries" + (" WHERE " + " AND ".join(where) if where else "")
        return [Entry(**row) for row in self.conn.execute(sql + " ORDER BY seq", params)]


def _text(value) -> str | None:
    return None if value is None else str(value)
