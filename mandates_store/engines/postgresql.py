"""The PostgreSQL engine: a psycopg 3 connection pool, `?` placeholders translated, lock waits
and lost connections mapped to the store's errors.

Every thread of a process keeps one connection of the pool (the Store opens one Database per
thread), in autocommit mode: a statement outside `transaction()` commits on its own, as on
SQLite. The password never sits in the location: libpq reads PGPASSWORD, ~/.pgpass (PGPASSFILE)
or a PGSERVICE file itself.
"""

import contextlib
import functools
import re
import threading
import weakref
from collections.abc import Iterable, Iterator

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool

from mandates_store.engines import POSTGRESQL, Transactions, location_problem, shown
from mandates_store.engines.postgresql_batch import Batcher
from mandates_store.errors import StoreBusy, StoreUnreachable

POOL_MAX = 32  # connections per process: above gunicorn's threads per worker
CONNECT_TIMEOUT_SECONDS = 5
# A statement a connection runs a second time is prepared (psycopg's default: the sixth): the
# login's one statement costs a millisecond to plan, which a prepared one skips. Run once, a
# statement stays unprepared (preparing it would cost a round trip of its own).
PREPARE_THRESHOLD = 1

# Outside string literals `?` and `:name` become psycopg's placeholders; a `%` is doubled
# everywhere (psycopg reads placeholders inside quotes too), e.g. in a LIKE pattern.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\?|(?<![:\w]):([A-Za-z_]\w*)|%")


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    def one(match: re.Match) -> str:
        text = match.group(0)
        if text.startswith("'"):
            return text.replace("%", "%%")
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        return f"%({match.group(1)})s"

    return _TOKENS.sub(one, sql)


def connect_problem(error: Exception) -> tuple[str, str]:
    """libpq's reason in one line (English, Dutch); libpq itself speaks English."""
    text = str(error).strip()
    why = text.splitlines()[0].strip() if text else type(error).__name__
    why = why.removeprefix("connection failed: ")
    return f"cannot connect to PostgreSQL ({why})", f"geen verbinding met PostgreSQL ({why})"


def unreachable(location: str, problem: tuple[str, str]) -> StoreUnreachable:
    return StoreUnreachable(f"{shown(location)}: {problem[0]}", f"{shown(location)}: {problem[1]}")


def connect(location: str) -> psycopg.Connection:
    """A connection of its own, or StoreUnreachable saying why not (a bad URL, a password in it,
    a server that refuses or does not answer)."""
    problem = location_problem(location)
    if problem is not None:
        raise unreachable(location, problem)
    try:
        return psycopg.connect(location, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.Error as error:
        raise unreachable(location, connect_problem(error)) from None


def busy() -> StoreBusy:
    return StoreBusy(
        "The mandates store is busy: another process kept it locked for too long; try again.",
        "De mandatenopslag is bezet door een ander proces; probeer het opnieuw.",
    )


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    try:
        yield
    except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected) as error:
        raise busy() from error
    except psycopg.errors.SerializationFailure as error:
        raise busy() from error


def _configure(busy_timeout: float):
    def configure(conn: psycopg.Connection) -> None:
        conn.autocommit = True
        # Waiting longer than the busy timeout for a row or table lock is a StoreBusy, as on SQLite.
        conn.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")

    return configure


class PostgresOpener:
    """What a Store keeps for PostgreSQL: the pool its threads' connections come from. The first
    connection is made here, so a bad URL or an unreachable server fails now with libpq's own
    reason, not in the pool's background worker."""

    def __init__(self, location: str, busy_timeout: float) -> None:
        self.location = location
        connect(location).close()
        self.pool = ConnectionPool(
            location,
            min_size=1,
            max_size=POOL_MAX,
            kwargs={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "prepare_threshold": PREPARE_THRESHOLD},
            configure=_configure(busy_timeout),
            open=True,
            name="mandates_store",
        )
        # A Store nobody shuts down closes its pool when collected. Not by the pool's own __del__:
        # the last reference may go in one of the pool's workers, which would then join itself.
        self._finalizer = weakref.finalize(self, _close_in_a_thread_of_its_own, self.pool)

    def open(self) -> "PostgresDatabase":
        return PostgresDatabase(self.location, self.pool)

    def close(self) -> None:
        self._finalizer.detach()
        self.pool.close()


def _close_in_a_thread_of_its_own(pool: ConnectionPool) -> None:
    threading.Thread(target=pool.close, name="mandates_store-pool-close", daemon=True).start()


class PostgresDatabase(Transactions):
    engine = POSTGRESQL
    Error = psycopg.Error
    IntegrityError = psycopg.IntegrityError
    # an array made once (an InitPlan), so an index scan takes it as its condition
    in_json_list = "= ANY(ARRAY(SELECT json_array_elements_text(CAST(? AS json))))"

    def __init__(self, location: str, pool: ConnectionPool) -> None:
        from mandates_store.engines.postgresql_schema import migrate

        self.location = location
        self.pool = pool
        self.conn = self.pool.getconn()
        # A thread that ends drops its Database: the connection goes back to the pool.
        self._finalizer = weakref.finalize(self, self.pool.putconn, self.conn)
        self._batcher = Batcher(self._execute_native)
        with translate_errors():
            migrate(self)

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Iterable | dict | None = None) -> psycopg.Cursor:
        with translate_errors():
            if params is None or (not isinstance(params, dict) and len(params) == 0):
                return self.conn.execute(sql)  # no parameters: psycopg sends the text as it is
            return self.conn.execute(translate(sql), params)

    def _execute_native(self, sql: str, params: list) -> psycopg.Cursor:
        with translate_errors():
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable) -> None:
        """A plain INSERT's rows in one statement (engines/postgresql_batch.py); others row by row."""
        rows = list(rows)
        if rows and not self._batcher.executemany(sql, rows):
            with translate_errors(), self.conn.cursor() as cursor:
                cursor.executemany(translate(sql), rows)

    def schema_version(self) -> int:
        from mandates_store.engines.postgresql_schema import schema_version

        return schema_version(self)

    @staticmethod
    def left_join_each(table: str, columns: str, key: str, keep: str, index: str) -> str:
        """LEFT JOIN `table` on `key` and `keep`, looked up per row of the left side by `key`:
        LATERAL with OFFSET 0 is not flattened into a join, whose kept (generic) plan may scan
        `table` once by a part of the key, guessing a giver's mandates at one row; and `keep`
        outside it cannot steer the lookup to a partial index it implies (the conflict rule's
        GiST index of signed mandates, 8x slower per probe than the b-tree `index`)."""
        alias = table.split()[-1]
        return f"LEFT JOIN LATERAL (SELECT {columns} FROM {table} WHERE {key} OFFSET 0) {alias} ON {keep}"

    @staticmethod
    def indexed_by(index: str) -> str:
        return ""  # PostgreSQL's planner has statistics; there is no index hint

    def insert(self, table: str, row: dict) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        return self.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", list(row.values())
        ).fetchone()[0]

    def insert_many(self, table: str, rows: Iterable[dict]) -> None:
        rows = list(rows)
        if rows:
            columns = ", ".join(rows[0])
            marks = ", ".join("?" * len(rows[0]))
            self.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", [list(r.values()) for r in rows])

    def upsert(self, table: str, row: dict, pk: str) -> None:
        from mandates_store.engines.sqlite import upsert_sql  # the same SQL on both engines

        self.execute(upsert_sql(table, list(row), pk), list(row.values()))

    def reserve_ids(self, table: str, count: int) -> list[int]:
        """`count` ids from the table's sequence for the caller to insert itself (not contiguous
        when another writer draws at the same time; a rolled-back group leaves a gap)."""
        rows = self.execute(
            "SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", [table, count]
        ).fetchall()
        return [row[0] for row in rows]

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def bulk_session(self, checkpoint_pages: int) -> Iterator[None]:
        yield  # PostgreSQL checkpoints on its own schedule

    def probe_write(self) -> None:
        """Raise unless this database accepts a write now: a temporary table, rolled back."""
        with contextlib.closing(connect(self.location)) as conn:
            conn.execute("CREATE TEMPORARY TABLE write_probe (x integer)")
            conn.rollback()

    def close(self) -> None:
        if self.in_transaction:
            self.conn.execute("ROLLBACK")
        self._finalizer()


def store_problem(location: str) -> tuple[str, str] | None:
    """Why `location` is no mandates store to open (English, Dutch), or None."""
    from mandates_store.engines.postgresql_schema import VERSION_TABLE

    problem = location_problem(location)
    if problem is not None:
        return problem
    try:
        with contextlib.closing(psycopg.connect(location, connect_timeout=CONNECT_TIMEOUT_SECONDS)) as conn:
            found = conn.execute("SELECT to_regclass(%s)", [VERSION_TABLE]).fetchone()[0]
    except psycopg.Error as error:
        return connect_problem(error)
    if found is None:
        return (
            f"no mandates store in this database; create one with `broker store init --db {location}`",
            f"geen mandatenstore in deze databank; maak er een met `broker store init --db {location}`",
        )
    return None
