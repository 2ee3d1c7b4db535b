"""Opening the state file and running one change as one transaction: the broker's only SQLite
connections and the one transaction helper that the state and the audit trail share.

WAL lets readers go on while one process writes; `synchronous=NORMAL` in WAL mode loses at most
the last commits on a power cut, never consistency. Writers take the lock up front (BEGIN
IMMEDIATE), so a read-then-write step cannot fail half-way on a lock upgrade.
"""

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence

BUSY_TIMEOUT_SECONDS = 10
PROBE_TIMEOUT_SECONDS = 2  # a probe that waits longer for the write lock says the file is stuck
HEARTBEAT_SECONDS = 5  # the probe commits at most this often (over all processes); else it rolls back

Migration = Callable[[sqlite3.Connection], None]


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
    """One commit for several writes of one step; inside another transaction, part of that one."""
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


def probe_write(path: str) -> None:
    """Raise unless a process opening the file now could write to it (readiness, see /readyz).

    A new connection, as a restarted worker would open: one opened before the file turned
    read-only keeps writing. The heartbeat row is committed at most every HEARTBEAT_SECONDS, so
    that the write really reaches the file now and then; otherwise it is written and rolled back.
    """
    _writable_for_the_kernel(path)
    conn = sqlite3.connect(path, timeout=PROBE_TIMEOUT_SECONDS, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        now = time.time()
        (last,) = conn.execute("SELECT at FROM heartbeat WHERE id = 1").fetchone()
        conn.execute("UPDATE heartbeat SET at = ? WHERE id = 1", (now,))
        conn.execute("COMMIT" if now - last >= HEARTBEAT_SECONDS else "ROLLBACK")
    finally:
        conn.close()


def _writable_for_the_kernel(path: str) -> None:
    """SQLite may hand a new connection a descriptor this process opened before the file turned
    read-only: ask the kernel instead, without opening the file (closing any descriptor of it would
    drop this process's SQLite locks). Catches a read-only mount, an immutable file (root too)."""
    for target in (path, os.path.dirname(os.path.abspath(path))):  # the folder: where the -wal file goes
        if not os.access(target, os.W_OK):
            why = "a read-only mount" if _read_only_mount(target) else "its permissions or immutable flag"
            raise PermissionError(f"{target}: not writable ({why})")


def _read_only_mount(path: str) -> bool:
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Apply the missing migrations in one transaction; returns the version reached."""
    latest = len(migrations)
    if _version(conn) == latest:
        return latest  # up to date: opening needs no write lock
    with transaction(conn):
        version = _version(conn)  # again under the lock: another process may have migrated meanwhile
        if version > latest:
            raise RuntimeError(f"state file schema version {version} is newer than this code ({latest})")
        for number in range(version, latest):
            migrations[number](conn)
            conn.execute(f"PRAGMA user_version = {number + 1}")
    return latest


def _version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


class Database:
    """One file, migrated when first opened; one connection per thread, reused."""

    def __init__(self, path: str, migrations: Sequence[Migration]):
        self.path = path
        self._local = threading.local()
        migrate(self.conn, migrations)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
        return conn


def insert(conn: sqlite3.Connection, table: str, row: dict, replace: bool = False) -> sqlite3.Cursor:
    """INSERT naming every column, so that no statement depends on the table's column order."""
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    return conn.execute(f"{verb} INTO {table} ({names}) VALUES ({values})", row)
