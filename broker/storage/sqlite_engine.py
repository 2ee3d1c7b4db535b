"""What only SQLite does for the state: connection pragmas, WAL, BEGIN IMMEDIATE, the schema version
under `PRAGMA user_version`, the write probe, and the DDL the two engines spell differently.

WAL lets readers go on while one process writes; `synchronous=NORMAL` in WAL mode loses at most
the last commits on a power cut, never consistency. Writers take the lock up front (BEGIN
IMMEDIATE), so a read-then-write step cannot fail half-way on a lock upgrade.
"""

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator

from mandates_store.engines.sqlite import writable_for_the_kernel

ENGINE = "sqlite"
BUSY_TIMEOUT_SECONDS = 10
PROBE_TIMEOUT_SECONDS = 2  # a probe that waits longer for the write lock says the file is stuck
HEARTBEAT_SECONDS = 5  # the probe commits at most this often (over all processes); else it rolls back

# DDL words of this engine (broker.storage.schema writes the tables once for both)
FLOAT = "REAL"
AUTO_KEY = "INTEGER PRIMARY KEY AUTOINCREMENT"
Error = sqlite3.DatabaseError


def connect(path: str) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; transaction() draws every boundary itself
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row  # rows are read by column name
    _use_wal(conn)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switching a new file to WAL answers "database is locked" at once, without SQLite's busy
    handler, while another process opens or migrates the same file: try again until the timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def probe_write(path: str, schema_version: int) -> None:
    """Raise unless a process opening the file now could write to it (readiness, see /readyz).

    A new connection, as a restarted worker would open: one opened before the file turned
    read-only keeps writing. The heartbeat row is committed at most every HEARTBEAT_SECONDS, so
    that the write really reaches the file now and then; otherwise it is written and rolled back.
    """
    writable_for_the_kernel(path)  # the mandates store's check: the same files, the same kernel
    conn = sqlite3.connect(path, timeout=PROBE_TIMEOUT_SECONDS, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        now = time.time()
        (last,) = conn.execute("SELECT at FROM heartbeat WHERE id = 1").fetchone()
        conn.execute("UPDATE heartbeat SET at = ? WHERE id = 1", (now,))
        conn.execute("COMMIT" if now - last >= HEARTBEAT_SECONDS else "ROLLBACK")
        version_now = version(conn)
    finally:
        conn.close()
    if version_now != schema_version:
        raise RuntimeError(f"schema version {version_now}, this code needs {schema_version}")


def version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def set_version(conn: sqlite3.Connection, number: int) -> None:
    conn.execute(f"PRAGMA user_version = {int(number)}")


def lock_for_migration(conn: sqlite3.Connection) -> None:
    """Nothing to do: the migration's BEGIN IMMEDIATE already excludes every other writer."""


# DDL the engines spell differently, called by broker.storage.schema's migrations


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}


def append_only(conn: sqlite3.Connection, table: str, message: str) -> None:
    for verb in ("UPDATE", "DELETE"):
        conn.execute(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}
            BEGIN SELECT RAISE(ABORT, '{message}'); END"""
        )


def add_sequence(conn: sqlite3.Connection, table: str, column: str, rebuilt: str) -> None:
    """Give `table` an increasing `column`, the old rows numbered in their insertion order (rowid).
    SQLite adds no such column in place: the table is rebuilt from `rebuilt` (its new DDL, with
    {table} for the name and {auto_key} for the column's type)."""
    names = ", ".join(sorted(columns(conn, table)))
    conn.execute(rebuilt.format(table=f"{table}_rebuilt", auto_key=AUTO_KEY))
    conn.execute(f"INSERT INTO {table}_rebuilt ({names}) SELECT {names} FROM {table} ORDER BY rowid")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")


class Database:
    """One file, migrated when first opened; one connection per thread, reused."""

    engine = ENGINE

    def __init__(self, path: str):
        self.location = path
        self._local = threading.local()

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.location)
        return conn

    def probe_write(self, schema_version: int) -> None:
        probe_write(self.location, schema_version)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
