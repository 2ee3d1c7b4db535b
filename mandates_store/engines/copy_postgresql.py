"""The copy's PostgreSQL side (mandates_store.copying): a database read in one REPEATABLE READ
snapshot or written in one transaction, rows streamed through a server-side cursor and written
with COPY, and each identity column's sequence carried on after the copied ids."""

import contextlib
from collections.abc import Iterator, Sequence

import psycopg

from mandates_store.copying import Side
from mandates_store.database import store_file_problem
from mandates_store.engines.postgresql import CONNECT_TIMEOUT_SECONDS, unreachable
from mandates_store.errors import InvalidInput
from mandates_store.store import Store

ROWS_PER_FETCH = 10_000


class PostgresSide(Side):
    def __init__(self, location: str, *, create: bool) -> None:
        if not create and (problem := store_file_problem(location)):
            raise InvalidInput(f"{location}: {problem[0]}", f"{location}: {problem[1]}")
        self.location = location
        Store(location).shutdown()  # creates and migrates the schema of a new database
        try:
            self.conn = psycopg.connect(location, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS)
        except psycopg.Error as error:
            raise unreachable(location, error) from None
        self._cursors = 0

    def close(self) -> None:
        self.conn.close()

    def columns(self, table: str) -> tuple[str, ...]:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE 1 = 0")  # noqa: S608 - our table names
        return tuple(d.name for d in cursor.description)

    def count(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608

    def rows(self, table: str, columns: Sequence[str], order: Sequence[str]) -> Iterator[Sequence]:
        self._cursors += 1
        with self.conn.cursor(name=f"copy_rows_{self._cursors}") as cursor:  # server-side: streams
            cursor.itersize = ROWS_PER_FETCH
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(order)}")  # noqa: S608
            yield from cursor

    def insert(self, table: str, columns: Sequence[str], rows: list[Sequence]) -> None:
        with self.conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _sequence(self, table: str) -> str:
        return self.conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()[0]

    def next_id(self, table: str) -> int:
        last_value, is_called = self.conn.execute(
            f"SELECT last_value, is_called FROM {self._sequence(table)}"
        ).fetchone()
        highest = self.conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0  # noqa: S608
        return max(last_value + 1 if is_called else last_value, highest + 1)

    def continue_ids(self, table: str, next_id: int) -> None:
        self.conn.execute("SELECT setval(%s, %s, false)", [self._sequence(table), max(next_id, self.next_id(table))])

    @contextlib.contextmanager
    def reading(self):
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")  # one snapshot for every table
        try:
            yield self
        finally:
            self.conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def writing(self):
        self.conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
