"""Opening the broker's state database on either engine, and what both engines share: the one
transaction helper, INSERT and upsert, the numbered migrations under a version record.

A location (STATE_DB) is an SQLite path or a `postgresql://` URL. What each engine does its own
way lives in broker.storage.sqlite_engine and broker.storage.postgres_engine; the SQL here and in
state and audit is written once, with `?` placeholders, for both.
"""

import contextlib
import sqlite3
from collections.abc import Callable, Sequence

from broker.storage import sqlite_engine

URL_SCHEMES = ("postgresql://", "postgres://")

# A migration gets the connection and its engine's module (for the DDL the engines spell differently).
Migration = Callable[[object, object], None]


def engine_of(location: str) -> str:
    """'postgresql' for a connection URL, else 'sqlite' (a path)."""
    return "postgresql" if location.startswith(URL_SCHEMES) else "sqlite"


def location_problem(location: str) -> str | None:
    """Why a PostgreSQL location cannot be used (a password in it), or None."""
    if engine_of(location) != "postgresql":
        return None
    from broker.storage import postgres_engine

    try:
        postgres_engine.check_location(location)
    except ValueError as error:  # psycopg's ProgrammingError (a malformed URL) is a ValueError too
        return f"{_without_password(location)}: {error}"
    return None


def _without_password(url: str) -> str:
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}{at}{host}" if at else url


def _engine(conn):
    if isinstance(conn, sqlite3.Connection):
        return sqlite_engine
    from broker.storage import postgres_engine

    return postgres_engine


def open_database(location: str, migrations: Sequence[Migration]):
    """The engine's Database for `location`, migrated to the latest version."""
    if engine_of(location) == "sqlite":
        db = sqlite_engine.Database(location)
        migrate(db.conn, migrations)
        return db
    from broker.storage import postgres_engine

    db = postgres_engine.Database(location)
    with db.conn.own_connection() as conn:
        migrate(conn, migrations)
    return db


def transaction(conn) -> contextlib.AbstractContextManager:
    """One commit for several writes of one step; inside another transaction, part of that one."""
    return _engine(conn).transaction(conn)


def migrate(conn, migrations: Sequence[Migration]) -> int:
    """Apply the missing migrations in one transaction; returns the version reached."""
    engine = _engine(conn)
    latest = len(migrations)
    if engine.version(conn) == latest:
        return latest  # up to date: opening needs no write lock
    with transaction(conn):
        engine.lock_for_migration(conn)
        version = engine.version(conn)  # again under the lock: another process may have migrated meanwhile
        if version > latest:
            raise RuntimeError(f"state database schema version {version} is newer than this code ({latest})")
        for number in range(version, latest):
            migrations[number](conn, engine)
            engine.set_version(conn, number + 1)
    return latest


def insert(conn, table: str, row: dict):
    """INSERT naming every column, so that no statement depends on the table's column order."""
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    return conn.execute(f"INSERT INTO {table} ({names}) VALUES ({values})", row)


def upsert(conn, table: str, row: dict, key: tuple[str, ...]):
    """INSERT, or UPDATE the row with the same `key` (both engines spell ON CONFLICT alike)."""
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    changes = ", ".join(f"{name}=excluded.{name}" for name in row if name not in key)
    return conn.execute(
        f"INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT ({', '.join(key)}) DO UPDATE SET {changes}", row
    )


def insert_new(conn, table: str, row: dict, key: tuple[str, ...]) -> bool:
    """INSERT unless a row with the same `key` exists; True when this call inserted it. Race-free
    across processes on both engines: the unique index decides."""
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    sql = f"INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT ({', '.join(key)}) DO NOTHING"
    return conn.execute(sql, row).rowcount == 1
