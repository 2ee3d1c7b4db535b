"""Opening the SQLite file and running one logical change as one transaction.

WAL lets the broker read while the command line writes; `synchronous=NORMAL` in WAL mode keeps
every commit safe from a killed process (only a power cut may lose the last commits, never
consistency). Writers take the lock up front (BEGIN IMMEDIATE) so a read-then-write change cannot
fail half-way on a lock upgrade; waiting longer than the busy timeout is a StoreBusy.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime

import sqlite_utils

from mandates_store.errors import StoreBusy
from mandates_store.schema import migrate

BUSY_TIMEOUT_SECONDS = 5.0
# Per connection: a 64 MiB page cache and reads through a memory map (no read() per page) keep
# the login path's index pages at hand in a multi-GiB store; the OS shares the mapped pages.
CACHE_KIB = 65_536
MMAP_BYTES = 1 << 30


def open_database(path: str, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite_utils.Database:
    # isolation_level=None: no implicit transactions; `write()` draws every boundary itself.
    conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    with translate_busy():
        if db.journal_mode != "wal":
            db.enable_wal()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.execute("PRAGMA temp_store = MEMORY")
        migrate(db)
    return db


def probe_write(path: str, busy_timeout: float = 0.5) -> None:
    """Raise unless a process opening the file now could write to it: a table created and rolled
    back on a new connection (one opened before the file turned read-only keeps writing). A lock
    held by another writer (a bulk import) passes: the file is writable, and readers go on in WAL."""
    _writable_for_the_kernel(str(path))
    conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                return
            raise
        conn.execute("CREATE TABLE write_probe (x)")
        conn.execute("ROLLBACK")
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


def store_file_problem(path: str) -> tuple[str, str] | None:
    """Why `path` is no mandates store to open (English, Dutch), or None: only `broker store init`
    creates one, so a mistyped path must not become a new empty store."""
    if not os.path.exists(path):
        return (
            f"no store there; create one with `broker store init --db {path}`",
            f"geen store op deze plaats; maak er een met `broker store init --db {path}`",
        )
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return f"not a mandates store ({error})", f"geen mandatenstore ({error})"
    if version == 0:  # an empty file, or an SQLite file of something else
        return (
            "not a mandates store (empty, or no schema); `broker store init` creates one",
            "geen mandatenstore (leeg of zonder schema); `broker store init` maakt er een",
        )
    return None


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


@contextlib.contextmanager
def translate_busy() -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as error:
        if _is_busy(error):
            raise StoreBusy(
                "The mandates store is busy: another process kept it locked for too long; try again.",
                "De mandatenopslag is bezet door een ander proces; probeer het opnieuw.",
            ) from error
        raise


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One logical change: committed whole, or rolled back whole on any exception."""
    conn = db.conn
    if conn.in_transaction:  # nested: a savepoint inside the caller's change
        # One fixed name (SQLite nests them) keeps the statement cached: this runs per bulk line.
        conn.execute("SAVEPOINT nested_change")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO nested_change")
                conn.execute("RELEASE nested_change")
            raise
        conn.execute("RELEASE nested_change")
        return
    with translate_busy():
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        with translate_busy():
            conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


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
