"""Many rows in one INSERT on PostgreSQL: `executemany("INSERT INTO t (a, b, c) VALUES (?, 'x', ?)")`
becomes one statement over arrays, one array per placeholder:

    INSERT INTO t (a, b, c) SELECT r.p1, 'x', r.p2
    FROM unnest(CAST(%b AS bigint[]), CAST(%b AS text[])) WITH ORDINALITY AS r(p1, p2, n) ORDER BY r.n

Row by row, each row is an execution of its own in the server (its parse, plan and executor
start, a few dozen microseconds, more than the row's insert); one statement over arrays runs
the executor once, and its text is the same for any number of rows, so it is prepared once.
The arrays go in psycopg's binary format (`%b`): its text format quotes every element with a
regular expression, about a second of client CPU per 100,000 bulk lines.
The rules stay the database's: the row triggers, foreign keys and constraints fire for every
row as before; a refused row fails the statement, as it failed executemany (the caller's
savepoint undoes what went before). The rows keep their order (the identity columns count in
it). An INSERT of another shape (an expression among the values, ON CONFLICT, RETURNING) goes
row by row as before.
"""

import functools
import re

_INSERT = re.compile(r"\s*INSERT INTO (\w+) \(([\w\s,]+)\) VALUES \((.*)\)\s*", re.S | re.I)
# a VALUES item: a placeholder, a quoted text, a number or NULL
_ITEM = re.compile(r"\s*(\?|'(?:[^']|'')*'|-?\d+|NULL)\s*(?:,|$)", re.I)


def parse(sql: str) -> tuple[str, list[str], list[str]] | None:
    """(table, columns, VALUES items) of a plain one-row INSERT, or None."""
    match = _INSERT.fullmatch(sql)
    if match is None:
        return None
    table, columns, values = match.group(1), [c.strip() for c in match.group(2).split(",")], match.group(3)
    items, at = [], 0
    while at < len(values):
        item = _ITEM.match(values, at)
        if item is None:
            return None
        items.append(item.group(1))
        at = item.end()
    return (table, columns, items) if len(items) == len(columns) and "?" in items else None


class Batcher:
    """Per connection: the column types it has looked up, and the statements made from them."""

    def __init__(self, execute) -> None:
        self.execute = execute  # psycopg's placeholders (`%s`, `%b`), errors translated
        self.statement = functools.lru_cache(maxsize=256)(self._statement)

    def _column_types(self, table: str) -> dict[str, str]:
        rows = self.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = CAST(%s AS regclass) AND a.attnum > 0 AND NOT a.attisdropped",
            [table],
        ).fetchall()
        return dict(rows)

    def _statement(self, sql: str) -> str | None:
        parsed = parse(sql)
        if parsed is None:
            return None
        table, columns, items = parsed
        types = self._column_types(table)
        if any(column not in types for column in columns):
            return None
        selected, arrays, names = [], [], []
        for column, item in zip(columns, items, strict=True):
            if item == "?":
                names.append(f"p{len(names) + 1}")
                arrays.append(f"CAST(%b AS {types[column]}[])")
                selected.append(f"r.{names[-1]}")
            else:
                selected.append(item.replace("%", "%%"))  # a quoted text: psycopg reads a % in it
        return (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selected)} "
            f"FROM unnest({', '.join(arrays)}) WITH ORDINALITY AS r({', '.join(names)}, n) ORDER BY r.n"
        )

    def executemany(self, sql: str, rows: list) -> bool:
        """Insert `rows` with one statement; False when `sql` is no plain INSERT (not done)."""
        if isinstance(rows[0], dict):
            return False
        statement = self.statement(sql)
        if statement is None:
            return False
        self.execute(statement, [list(values) for values in zip(*rows, strict=True)])
        return True
