"""Bulk actions' history and reports: the operations list, a report, its Dutch text."""

import hashlib
from dataclasses import replace
from pathlib import Path

from mandates_store import identifiers
from mandates_store.bulk.model import CREATE, INTERRUPTED, RUNNING, SIGN, STOP, BulkLine, BulkOperation, BulkReport
from mandates_store.bulk.operations import OPERATION_COLUMNS, operation_by_id, operation_from_row
from mandates_store.engines import Database
from mandates_store.mandates import (
    get_mandate,
)

# --- history and reports ------------------------------------------------------------------


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def lines_sha256(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def interrupted_creates(db: Database, party: str, source_sha256: str) -> list[BulkOperation]:
    """Interrupted bulk creates of this party that read the same file (to resume, not rerun)."""
    rows = db.execute(
        f"{OPERATION_COLUMNS} WHERE party = ? AND kind = ? AND status = ? AND source_sha256 = ? ORDER BY id",
        [identifiers.party_number(party, "party")[0], CREATE, RUNNING, source_sha256],
    )
    return [op for op in map(operation_from_row, rows) if op.interrupted]


def operations(db: Database, party: str | None = None) -> list[BulkOperation]:
    """The history of bulk operations, newest first (of one party, or all)."""
    if party is None:
        rows = db.execute(f"{OPERATION_COLUMNS} ORDER BY id DESC")
    else:
        rows = db.execute(
            f"{OPERATION_COLUMNS} WHERE party = ? ORDER BY id DESC", [identifiers.party_number(party, "party")[0]]
        )
    return [operation_from_row(row) for row in rows]


def bulk_report(db: Database, operation_id: int) -> BulkReport:
    operation = operation_by_id(db, operation_id)
    ids: dict[int, tuple[int, ...]] = {}
    for line_no, mandate_id in db.execute(
        "SELECT line_no, mandate_id FROM bulk_line_mandates WHERE operation_id = ? ORDER BY line_no, mandate_id",
        [operation_id],
    ):
        ids[line_no] = ids.get(line_no, ()) + (mandate_id,)  # mostly one mandate per line
    lines = [
        BulkLine(line_no, text, bool(ok), ids.get(line_no, ()), reason)
        for line_no, text, ok, reason in db.execute(
            "SELECT line_no, input, ok, reason FROM bulk_lines WHERE operation_id = ? ORDER BY line_no", [operation_id]
        )
    ]
    if operation.status in (RUNNING, INTERRUPTED):  # not finished: count what is there, of the total
        done = sum(line.ok for line in lines)
        total = max(operation.lines_total, len(lines))
        operation = replace(operation, lines_total=total, lines_ok=done, lines_failed=len(lines) - done)
    return BulkReport(operation, lines)


_TITLE = {
    CREATE: ("Mandaten aanmaken", "Aangemaakt door", "aangemaakte"),
    SIGN: ("Ondertekening mandaten", "Ondertekend door", "ondertekende"),
    STOP: ("Stopzetting mandaten", "Stopgezet door", "stopgezette"),
}


def report_text_nl(db: Database, report: BulkReport) -> str:
    """The report as the seeds show it (their PDF), as plain text."""
    operation = report.operation
    title, by, done = _TITLE[operation.kind]
    out = [
        title,
        f"Datum {operation.started_at:%d/%m/%Y}",
        f"{by} {operation.person}",
        f"Status {operation.status}",
        f"Aantal {done} mandaten: {len(report.created)}",
        f"Lijst van de {done} mandaten",
    ]
    day = operation.started_at.date()
    for number, mandate_id in enumerate(report.created, 1):
        out.append(f"{number}. {describe(get_mandate(db, mandate_id, day))}")
    if report.refused:
        out.append("Lijst ongeldige CSV-lijnen" if operation.kind == CREATE else "Lijst mislukte mandaten")
        for number, line in enumerate(report.refused, 1):
            what = f"Mandaat voor {line.input}" if operation.kind == CREATE else f"Mandaat {line.input}"
            out.append(f"{number}. Lijn {line.line_no}: {what} : {line.reason}")
    return "\n".join(out) + "\n"


def describe(mandate) -> str:
    """ "Mandaat WSE Loket vanaf 10/12/2019 tot 09/12/2020 tussen: Emmaüs 0411515075 en ..."."""
    from datetime import timedelta

    text = f"Mandaat {mandate.type_code} vanaf {mandate.start_date:%d/%m/%Y}"
    if mandate.end_date is not None:  # the last valid day: the end date itself is exclusive
        text += f" tot {mandate.end_date - timedelta(days=1):%d/%m/%Y}"
    return f"{text} tussen: {mandate.giver.name} {mandate.giver.number} en {mandate.taker.name} {mandate.taker.number}"
