"""The copy's SQLite side (mandates_store.copying): a store file read in one snapshot or written in
one transaction, and the mandates' AUTOINCREMENT counter (sqlite_sequence) carried over."""

import contextlib
from collections.abc import Iterator, Sequence

from mandates_store.copying import Side
from mandates_store.database import store_file_problem, write
from mandates_store.errors import InvalidInput
from mandates_store.store import Store


class SqliteSide(Side):
    def __init__(self, location: str, *, create: bool) -> None:
        if not create and (problem := store_file_problem(location)):
            raise InvalidInput(f"{location}: {problem[0]}", f"{location}: {problem[1]}")
        self.location = location
        self.store = Store(location)
        self.db = self.store.db
        self.conn = self.db.conn

    def close(self) -> None:
        self.store.shutdown()

    def columns(self, table: str) -> tuple[str, ...]:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE 1 = 0")  # noqa: S608 - our table names
        return tuple(d[0] for d in cursor.description)

    def count(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608

    def rows(self, table: str, columns: Sequence[str], order: Sequence[str]) -> Iterator[Sequence]:
        yield from self.conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(order)}")  # noqa: S608

    def insert(self, table: str, columns: Sequence[str], rows: list[Sequence]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608

    def next_id(self, table: str) -> int:
        last = self.conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0  # noqa: S608
        counted = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [table]).fetchone()
        return max(last, counted[0] if counted else 0) + 1

    def continue_ids(self, table: str, next_id: int) -> None:
        # AUTOINCREMENT (mandates) never goes below its counter; the other tables take max(id) + 1
        self.conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", [next_id - 1, table])

    @contextlib.contextmanager
    def reading(self):
        self.conn.execute("BEGIN")  # a snapshot: WAL readers see the file as it was here
        try:
            yield self
        finally:
            self.conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def writing(self):
        with write(self.db):
            yield self
