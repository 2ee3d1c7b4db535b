"""`broker store copy`: every table of one store into another, empty one, on either engine, then
checked by row counts and a checksum per table.

The copy runs in one transaction on the target (a failure or a mismatch leaves it empty) and reads
the source in one snapshot (a broker may go on writing meanwhile). The checksum of a table is the
sum, modulo 2**128, of a SHA-256 of each row's canonical text (its values as a JSON list): the same on both engines whatever
order they return rows in (their text collations differ), and computed in Python from what each
driver returns, so a value an engine changed on the way (a date, a number, an accent) shows.
"""

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from mandates_store.errors import InvalidInput

BATCH_ROWS = 10_000
# Dependency order: each table after the tables it references. With its primary key, by which
# rows are read (mandates by id: a transfer references an earlier mandate).
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parties", ("number",)),
    ("mandate_types", ("code",)),
    ("mandate_type_combinations", ("type_code", "giver_kind", "taker_kind")),
    ("mandates", ("id",)),
    ("mandate_events", ("id",)),
    ("work_relationships", ("id",)),
    ("user_rights", ("id",)),
    ("user_right_mandate_types", ("right_id", "type_code")),
    ("user_right_givers", ("right_id", "giver")),
    ("legal_representatives", ("id",)),
    ("idm_events", ("id",)),
    ("bulk_operations", ("id",)),
    ("bulk_lines", ("operation_id", "line_no")),
    ("bulk_line_mandates", ("operation_id", "line_no", "mandate_id")),
)
# tables whose id the store hands out itself: the target goes on after the source's last one
COUNTED_IDS = ("mandates", "mandate_events", "work_relationships", "user_rights", "legal_representatives")
COUNTED_IDS += ("idm_events", "bulk_operations")


def canonical(value):
    """A value json cannot write (a date, a number, bytes), as text the same whichever engine's
    driver returned it; None, strings, integers and floats json writes itself."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"no canonical text for {type(value).__name__}")


_row_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=canonical).encode


class Checksum:
    def __init__(self) -> None:
        self.rows = 0
        self.total = 0

    def add(self, row: Sequence) -> None:
        digest = hashlib.sha256(_row_text(list(row)).encode()).digest()
        self.total = (self.total + int.from_bytes(digest[:16], "big")) % (1 << 128)
        self.rows += 1

    @property
    def hex(self) -> str:
        return f"{self.total:032x}"


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True)
class CopyReport:
    checks: tuple[TableCheck, ...]
    seconds: float

    @property
    def mismatches(self) -> tuple[str, ...]:
        return tuple(check.table for check in self.checks if not check.ok)


class Side:
    """One store as the copy sees it; each engine's side says how it reads and writes in bulk."""

    location: str

    def columns(self, table: str) -> tuple[str, ...]:
        raise NotImplementedError

    def count(self, table: str) -> int:
        raise NotImplementedError

    def rows(self, table: str, columns: Sequence[str], order: Sequence[str]) -> Iterator[Sequence]:
        raise NotImplementedError

    def insert(self, table: str, columns: Sequence[str], rows: list[Sequence]) -> None:
        raise NotImplementedError

    def next_id(self, table: str) -> int:
        """The id the store would give the table's next row."""
        raise NotImplementedError

    def continue_ids(self, table: str, next_id: int) -> None:
        """Make the table's next row get at least next_id."""
        raise NotImplementedError

    def reading(self):
        """A context: one read-only snapshot."""
        raise NotImplementedError

    def writing(self):
        """A context: one transaction, rolled back on any exception."""
        raise NotImplementedError


class Mismatch(Exception):
    def __init__(self, report: CopyReport):
        super().__init__(", ".join(report.mismatches))
        self.report = report


def refuse_a_target_with_rows(target: Side) -> None:
    filled = [(table, n) for table, _ in TABLES if (n := target.count(table))]
    if filled:
        listed = ", ".join(f"{table} {n}" for table, n in filled)
        raise InvalidInput(
            f"{target.location}: the target store is not empty (rows: {listed}); copy only into a new, empty store",
            f"{target.location}: de doelstore is niet leeg (rijen: {listed}); kopieer enkel naar een nieuwe, lege store",
        )


def _same_columns(source: Side, target: Side, table: str) -> tuple[str, ...]:
    ours, theirs = source.columns(table), target.columns(table)
    if set(ours) != set(theirs):
        only = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
        raise InvalidInput(
            f"table {table}: the columns differ (only in the source: {only[0]}; only in the target: {only[1]}): "
            "are both stores at the same schema version?",
            f"tabel {table}: de kolommen verschillen (enkel in de bron: {only[0]}; enkel in het doel: {only[1]}): "
            "hebben beide stores dezelfde schemaversie?",
        )
    return ours


def _batches(rows: Iterable[Sequence], size: int) -> Iterator[list[Sequence]]:
    batch: list[Sequence] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def copy_store(source: Side, target: Side, batch_rows: int = BATCH_ROWS, progress=None) -> CopyReport:
    """Copy every table; raise Mismatch (the target rolled back, empty) when a check fails."""
    started = time.monotonic()
    checks = []
    with source.reading(), target.writing():
        refuse_a_target_with_rows(target)
        copied = {}
        for table, order in TABLES:
            columns = _same_columns(source, target, table)
            checksum = Checksum()
            for batch in _batches(source.rows(table, columns, order), batch_rows):
                first = checksum.rows + 1
                for row in batch:
                    checksum.add(row)
                try:
                    target.insert(table, columns, batch)
                except Exception as error:  # each engine's driver has its own; the message says what
                    raise InvalidInput(
                        f"table {table}: the target refused the batch from its row {first} on: {error}",
                        f"tabel {table}: het doel weigerde de reeks vanaf rij {first}: {error}",
                    ) from error
            copied[table] = (columns, order, checksum)
            if progress:
                progress(table, checksum.rows)
        for table in COUNTED_IDS:
            target.continue_ids(table, source.next_id(table))
        for table, (columns, order, checksum) in copied.items():
            landed = Checksum()
            for row in target.rows(table, columns, order):
                landed.add(row)
            checks.append(TableCheck(table, checksum.rows, landed.rows, checksum.hex, landed.hex))
        report = CopyReport(tuple(checks), time.monotonic() - started)
        if report.mismatches:
            raise Mismatch(report)  # leaves writing(): the target is rolled back
    return CopyReport(tuple(checks), time.monotonic() - started)
