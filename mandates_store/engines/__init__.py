"""The engine-neutral connection the store's modules talk to, and which engine a location names.

A location is an SQLite path or a `postgresql://` (or `postgres://`) URL. Every module of the
store writes SQL both engines accept, with `?` placeholders, against a `Database`:

    execute(sql, params) -> cursor      (fetchone, fetchall, iteration, description)
    executemany(sql, rows)
    insert(table, row) -> id            one row, its generated id
    insert_many(table, rows)            dicts with the same keys
    upsert(table, row, pk)              INSERT ... ON CONFLICT (pk) DO UPDATE
    transaction()                       one change; a savepoint when nested
    begin() / commit() / rollback()     the bulk import's groups
    in_transaction, engine, close()

What differs between the engines (DDL, triggers, locking, placeholders, a few SQL fragments:
`in_json_list`, `indexed_by`, `left_join_each`) lives in engines/sqlite.py and engines/postgresql.py;
what they share (transaction() and its savepoints) in `Transactions` below.
"""

import contextlib
from collections.abc import Iterator

SQLITE, POSTGRESQL = "sqlite", "postgresql"
URL_SCHEMES = ("postgresql://", "postgres://")


def engine_of(location: object) -> str:
    """ "postgresql" for a PostgreSQL URL, "sqlite" for anything else (a path)."""
    return POSTGRESQL if str(location).startswith(URL_SCHEMES) else SQLITE


def integrity_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a rule held by the schema raises, on either engine."""
    import sqlite3

    import psycopg

    return (sqlite3.IntegrityError, psycopg.IntegrityError)


class Database:
    """The interface both engines' classes offer (SqliteDatabase, PostgresDatabase); used as the
    type of every `db` parameter of the store's modules."""

    engine: str
    in_json_list: str
    Error: type[Exception]
    IntegrityError: type[Exception]
    in_transaction: bool

    def execute(self, sql: str, params=()): ...
    def left_join_each(self, table: str, columns: str, key: str, keep: str, index: str) -> str: ...
    def executemany(self, sql: str, rows) -> None: ...
    def insert(self, table: str, row: dict) -> int: ...
    def insert_many(self, table: str, rows) -> None: ...
    def upsert(self, table: str, row: dict, pk: str) -> None: ...
    def reserve_ids(self, table: str, count: int): ...
    def transaction(self): ...
    def savepoint(self, name: str): ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def schema_version(self) -> int: ...
    def close(self) -> None: ...


class Transactions:
    """transaction() and savepoint() of both engines' classes, on their execute, begin, commit,
    rollback and in_transaction (SqliteDatabase's and PostgresDatabase's `conn` is the driver's)."""

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Transactions"]:
        """One logical change: committed whole, or rolled back whole on any exception; inside the
        caller's open change, a savepoint that undoes only itself."""
        if self.in_transaction:
            # One name at every depth (both engines nest savepoints of one name, the innermost
            # first): SQLite keeps the statements cached. This runs per bulk line: no second layer.
            self.execute("SAVEPOINT nested_change")
            try:
                yield self
            except BaseException:
                self._undo_savepoint("nested_change")
                raise
            self.execute("RELEASE SAVEPOINT nested_change")
            return
        self.begin()
        try:
            yield self
            self.commit()
        except BaseException:
            self.rollback()
            raise

    @contextlib.contextmanager
    def savepoint(self, name: str) -> Iterator[None]:
        self.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._undo_savepoint(name)
            raise
        self.execute(f"RELEASE SAVEPOINT {name}")

    def _undo_savepoint(self, name: str) -> None:
        if self.in_transaction:  # a failed statement may have ended the whole change already
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.execute(f"RELEASE SAVEPOINT {name}")


def error_text(error: Exception) -> str:
    """A refusal by the schema in one line: PostgreSQL adds CONTEXT and DETAIL lines to its text."""
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return primary or str(error)


def location_problem(location: str) -> tuple[str, str] | None:
    """Why a PostgreSQL URL cannot be a store's location, without connecting (English, Dutch):
    it does not parse, or it holds the password, which belongs in PGPASSWORD, ~/.pgpass
    (PGPASSFILE) or a PGSERVICE service file, never in a settings file or a command line."""
    if engine_of(location) != POSTGRESQL:
        return None
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(str(location))
    except psycopg.Error as error:
        why = str(error).splitlines()[0]
        return f"not a valid PostgreSQL URL ({why})", f"geen geldige PostgreSQL-URL ({why})"
    if "password" in parts:
        return (
            "the URL holds a password; leave it out and set PGPASSWORD, ~/.pgpass (PGPASSFILE) or a PGSERVICE file",
            "de URL bevat een wachtwoord; laat het weg en gebruik PGPASSWORD, ~/.pgpass (PGPASSFILE) of een "
            "PGSERVICE-bestand",
        )
    port = parts.get("port")
    if port is not None and not str(port).isdigit():
        return f"not a valid PostgreSQL URL (port '{port}')", f"geen geldige PostgreSQL-URL (poort '{port}')"
    return None


def shown(location: object) -> str:
    """The location as messages may show it: a password in a URL masked."""
    import re

    text = str(location)
    if engine_of(text) != POSTGRESQL:
        return text
    text = re.sub(r"^(postgres(?:ql)?://[^/@:]*):[^@/]*@", r"\1:***@", text)
    return re.sub(r"([?&]password=)[^&]*", r"\1***", text)
