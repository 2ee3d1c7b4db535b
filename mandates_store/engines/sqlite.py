"""The SQLite engine: the file, its pragmas, its locking, its busy errors.

WAL lets the broker read while the command line writes; `synchronous=NORMAL` in WAL mode keeps
every commit safe from a killed process (only a power cut may lose the last commits, never
consistency). Writers take the lock up front (BEGIN IMMEDIATE) so a read-then-write change cannot
fail half-way on a lock upgrade; waiting longer than the busy timeout is a StoreBusy.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator

import sqlite_utils

from mandates_store.engines import SQLITE, Transactions
from mandates_store.engines.sqlite_schema import migrate
from mandates_store.errors import StoreBusy

# Per connection: a 64 MiB page cache and reads through a memory map (no read() per page) keep
# the login path's index pages at hand in a multi-GiB store; the OS shares the mapped pages.
CACHE_KIB = 65_536
MMAP_BYTES = 1 << 30


class SqliteDatabase(Transactions):
    engine = SQLITE
    Error = sqlite3.Error
    IntegrityError = sqlite3.IntegrityError
    # SQL fragments that differ between the engines
    in_json_list = "IN (SELECT value FROM json_each(?))"  # one of the values of a JSON array parameter

    def __init__(self, path: str, busy_timeout: float) -> None:
        self.path = path
        # isolation_level=None: no implicit transactions; transaction() draws every boundary itself.
        self.conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        self.utils = sqlite_utils.Database(self.conn)  # the schema steps use its table API
        # The hot paths (login options, bulk lines) call sqlite3 itself: no layer in between.
        self.execute = self.conn.execute
        self.executemany = self.conn.executemany
        with translate_busy():
            if self.utils.journal_mode != "wal":
                self.utils.enable_wal()
            for pragma in (
                "foreign_keys = ON",
                "synchronous = NORMAL",
                f"cache_size = -{CACHE_KIB}",
                f"mmap_size = {MMAP_BYTES}",
                "temp_store = MEMORY",
            ):
                self.conn.execute(f"PRAGMA {pragma}")
            migrate(self.utils)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @classmethod
    def left_join_each(cls, table: str, columns: str, key: str, keep: str, index: str) -> str:
        """LEFT JOIN `table` (with its alias) on `key` and `keep`: per row of the left side, the
        rows of `table` that match `key` by `index`, of them those that match `keep`."""
        return f"LEFT JOIN {table} {cls.indexed_by(index)} ON {key} AND {keep}"

    @staticmethod
    def indexed_by(index: str) -> str:
        """Pin the query planner to an index (SQLite's statistics-free planner may pick another)."""
        return f"INDEXED BY {index}"

    def insert(self, table: str, row: dict) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        return self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())).lastrowid

    def insert_many(self, table: str, rows: Iterable[dict]) -> None:
        rows = list(rows)
        if rows:
            columns = ", ".join(rows[0])
            marks = ", ".join("?" * len(rows[0]))
            self.conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [list(r.values()) for r in rows])

    def upsert(self, table: str, row: dict, pk: str) -> None:
        self.execute(upsert_sql(table, list(row), pk), list(row.values()))

    def reserve_ids(self, table: str, count: int) -> range:
        """`count` ids the caller may insert into `table` itself; the write lock (BEGIN
        IMMEDIATE) keeps others out until commit, and AUTOINCREMENT follows explicit ids."""
        first = self.conn.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), "
            f"coalesce((SELECT max(id) FROM {table}), 0)) + 1"
        ).fetchone()[0]
        return range(first, first + count)

    def begin(self) -> None:
        with translate_busy():
            self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        with translate_busy():
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def bulk_session(self, checkpoint_pages: int) -> Iterator[None]:
        """A long import: fewer, larger WAL checkpoints (each syncs the disk twice)."""
        conn = self.conn
        before = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        conn.execute(f"PRAGMA wal_autocheckpoint = {checkpoint_pages}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint = {before}")
            if not conn.in_transaction:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for readers

    def probe_write(self) -> None:
        probe_write(self.path)

    def close(self) -> None:
        self.conn.close()


def upsert_sql(table: str, columns: list[str], pk: str) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != pk)
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({pk}) DO UPDATE SET {updates}"


def probe_write(path: str, busy_timeout: float = 0.5) -> None:
    """Raise unless a process opening the file now could write to it: a table created and rolled
    back on a new connection (one opened before the file turned read-only keeps writing). A lock
    held by another writer (a bulk import) passes: the file is writable, and readers go on in WAL."""
    writable_for_the_kernel(str(path))
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


def writable_for_the_kernel(path: str) -> None:
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
            raise busy() from error
        raise


def busy() -> StoreBusy:
    return StoreBusy(
        "The mandates store is busy: another process kept it locked for too long; try again.",
        "De mandatenopslag is bezet door een ander proces; probeer het opnieuw.",
    )
