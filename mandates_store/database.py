"""Opening the store at a location (an SQLite path or a PostgreSQL URL), one logical change as
one transaction, and the ISO texts dates and moments are kept as on both engines."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from mandates_store.engines import POSTGRESQL, engine_of

BUSY_TIMEOUT_SECONDS = 5.0


class SqliteOpener:
    def __init__(self, path: str, busy_timeout: float) -> None:
        self.path, self.busy_timeout = path, busy_timeout

    def open(self):
        from mandates_store.engines.sqlite import SqliteDatabase

        return SqliteDatabase(self.path, self.busy_timeout)

    def close(self) -> None:
        pass  # each connection is the file's; nothing is shared


def opener(location: str, busy_timeout: float = BUSY_TIMEOUT_SECONDS):
    """What opens the engine-neutral Database (see engines/__init__.py) of a location, created
    and migrated, once per thread: `.open()`; `.close()` ends what the threads shared (a pool)."""
    location = str(location)
    if engine_of(location) == POSTGRESQL:
        from mandates_store.engines.postgresql import PostgresOpener

        return PostgresOpener(location, busy_timeout)
    return SqliteOpener(location, busy_timeout)


def store_file_problem(location: str) -> tuple[str, str] | None:
    """Why `location` is no mandates store to open (English, Dutch), or None: only `broker store
    init` creates one, so a mistyped path or URL must not become a new empty store."""
    location = str(location)
    if engine_of(location) == POSTGRESQL:
        from mandates_store.engines.postgresql import store_problem

        return store_problem(location)
    from mandates_store.engines.sqlite import store_file_problem as sqlite_problem

    return sqlite_problem(location)


@contextmanager
def write(db) -> Iterator:
    """One logical change: committed whole, or rolled back whole on any exception; a savepoint
    inside the caller's change when one is open."""
    with db.transaction():
        yield db


def iso_date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def iso_moment(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def to_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def to_moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def day_of(at: date | datetime) -> date:
    return at.date() if isinstance(at, datetime) else at
