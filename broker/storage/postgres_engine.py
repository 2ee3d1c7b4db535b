"""What only PostgreSQL does for the state: the connection pool, `?` placeholders translated to
psycopg's, transactions, the schema version in a table of its own, the write probe, and the DDL the
two engines spell differently.

The SQL of broker.storage.state and .audit runs unchanged: Connection answers execute() like an
sqlite3 connection does (rows by index and by column name, rowcount). Outside a transaction each
statement borrows a pooled connection in autocommit mode; a transaction keeps one for its thread
until it ends. The pool belongs to one process: a forked worker opens its own on first use.
"""

import atexit
import contextlib
import functools
import os
import re
import threading
from collections.abc import Iterator

import psycopg
from psycopg_pool import ConnectionPool

ENGINE = "postgresql"
CONNECT_TIMEOUT_SECONDS = 5  # also how long a request waits for a pooled connection
POOL_MAX = 8  # per worker process; a gthread worker's threads share it
MIGRATION_LOCK = 0x62726F6B  # pg_advisory_xact_lock key: one process migrates, the others wait

FLOAT = "DOUBLE PRECISION"  # PostgreSQL's REAL is 4 bytes: too coarse for a Unix time
AUTO_KEY = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
Error = psycopg.Error

# Every pool this process opened, until closed: a pool must not be garbage-collected (its __del__
# may run in one of its own threads, which cannot join itself); the rest close at exit, each only in
# the process that opened it (a forked worker must not close its parent's connections).
_OPEN_POOLS: dict[ConnectionPool, int] = {}


@atexit.register
def _close_pools() -> None:
    for pool, pid in list(_OPEN_POOLS.items()):
        if pid == os.getpid():
            pool.close()


# a quoted literal or a cast (no placeholders there), a placeholder, or a % (psycopg's own escape)
_TOKEN = re.compile(r"'(?:[^']|'')*'|::|\?|:(\w+)|%")


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """sqlite3's `?` and `:name` placeholders in psycopg's spelling (%s, %(name)s)."""

    def one(match: re.Match) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return token.replace("%", "%%")  # psycopg reads % inside a literal too

    return _TOKEN.sub(one, sql)


class Row(tuple):
    """A result row as sqlite3.Row reads: by index, by column name, and as a mapping (cls(**row))."""

    def __new__(cls, values, index: dict[str, int]):
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key):
        return tuple.__getitem__(self, self._index[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor):
    index = {column.name: number for number, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class Result:
    """A finished statement: its rows already fetched, so the connection went back to the pool."""

    def __init__(self, rows: list, rowcount: int):
        self._rows, self.rowcount = rows, rowcount

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list:
        return list(self._rows)

    def __iter__(self):
        return iter(self._rows)


def _run(conn: psycopg.Connection, sql: str, params) -> Result:
    with conn.cursor() as cursor:
        if params:
            cursor.execute(translate(sql), params)
        else:
            cursor.execute(sql)
        rows = cursor.fetchall() if cursor.description else []
        return Result(rows, cursor.rowcount)


def check_location(url: str) -> None:
    """Refuse a URL with a password: it belongs in PGPASSWORD, ~/.pgpass or a service file."""
    if psycopg.conninfo.conninfo_to_dict(url).get("password"):
        raise ValueError("a password in the URL; give it in PGPASSWORD, ~/.pgpass (PGPASSFILE) or a PGSERVICE file")


def connect(url: str) -> psycopg.Connection:
    """One connection of its own (migration, the readiness probe), not a pooled one."""
    return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, row_factory=_row_factory)


class Connection:
    """sqlite3's connection interface over the pool (see the module's docstring)."""

    def __init__(self, url: str):
        self.url = url
        self._pool: ConnectionPool | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def _pooled(self) -> ConnectionPool:
        if self._pid != os.getpid():  # first use in this process (a worker forked after opening)
            with self._lock:
                if self._pid != os.getpid():
                    self._pool = ConnectionPool(
                        self.url,
                        min_size=1,
                        max_size=POOL_MAX,
                        timeout=CONNECT_TIMEOUT_SECONDS,
                        kwargs={
                            "autocommit": True,
                            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                            "row_factory": _row_factory,
                        },
                        name=f"state-{os.getpid()}",
                        open=True,
                    )
                    self._pid = os.getpid()
                    _OPEN_POOLS[self._pool] = os.getpid()
        return self._pool

    @property
    def in_transaction(self) -> bool:
        return getattr(self._local, "conn", None) is not None

    def execute(self, sql: str, params=()) -> Result:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return _run(conn, sql, params)
        with self._pooled().connection() as conn:
            return _run(conn, sql, params)

    def executemany(self, sql: str, rows) -> Result:
        with self.transaction():
            results = [self.execute(sql, row) for row in rows]
        return Result([], sum(result.rowcount for result in results))

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Connection"]:
        """One commit for the block; inside another transaction, part of that one."""
        if self.in_transaction:
            yield self
            return
        with self._pooled().connection() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    yield self
            finally:
                self._local.conn = None

    @contextlib.contextmanager
    def own_connection(self) -> Iterator["Connection"]:
        """This thread's statements on a connection of their own, outside the pool, in one
        transaction: migrating at start-up opens no pool in a process about to fork workers."""
        with connect(self.url) as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    yield self
            finally:
                self._local.conn = None

    def close(self) -> None:
        if self._pool is not None and self._pid == os.getpid():
            _OPEN_POOLS.pop(self._pool, None)
            self._pool.close()
        self._pool, self._pid = None, 0


def transaction(conn: Connection):
    return conn.transaction()


def version(conn: Connection) -> int:
    if conn.execute("SELECT to_regclass('state_schema_version')").fetchone()[0] is None:
        return 0  # a new database
    return conn.execute("SELECT max(version) FROM state_schema_version").fetchone()[0] or 0


def set_version(conn: Connection, number: int) -> None:
    conn.execute("DELETE FROM state_schema_version")
    conn.execute("INSERT INTO state_schema_version (version) VALUES (?)", (number,))


def lock_for_migration(conn: Connection) -> None:
    """Processes opening a new database at once: the first migrates, the others wait for its
    commit and find the work done (the lock ends with the transaction)."""
    conn.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    conn.execute("CREATE TABLE IF NOT EXISTS state_schema_version (version INTEGER NOT NULL)")


def probe_write(url: str, schema_version: int) -> None:
    """Raise unless a new connection can reach the database, write to it (in a transaction that is
    rolled back) and finds the schema this code needs (/readyz)."""
    try:
        conn = connect(url)
    except psycopg.Error as error:
        raise ConnectionError(f"unreachable: {str(error).strip()}") from None
    try:
        found = version(conn)
        if found != schema_version:
            raise RuntimeError(f"schema version {found}, this code needs {schema_version}")
        conn.execute("BEGIN")
        try:
            conn.execute("UPDATE heartbeat SET at = %s WHERE id = 1", (0.0,))
        except psycopg.Error as error:
            raise PermissionError(f"not writable: {str(error).strip()}") from None
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


# DDL the engines spell differently, called by broker.storage.schema's migrations


def columns(conn: Connection, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    return {row[0] for row in rows}


def append_only(conn: Connection, table: str, message: str) -> None:
    conn.execute(
        f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$"""
    )
    conn.execute(
        f"""CREATE OR REPLACE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"""
    )
    conn.execute(
        f"""CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"""
    )


def add_sequence(conn: Connection, table: str, column: str, rebuilt: str) -> None:
    """An identity column is added in place (`rebuilt` is SQLite's way)."""
    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} BIGINT GENERATED ALWAYS AS IDENTITY")


class Database:
    """One database; the pool opens per process on first use."""

    engine = ENGINE

    def __init__(self, url: str):
        check_location(url)
        self.location = url
        self.conn = Connection(url)

    def probe_write(self, schema_version: int) -> None:
        probe_write(self.location, schema_version)

    def close(self) -> None:
        self.conn.close()
