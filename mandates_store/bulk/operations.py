"""Bulk actions' bookkeeping: an operation is started, claimed by one process, its lines recorded, finished."""

import os
import socket
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from mandates_store import identifiers
from mandates_store.bulk.model import CREATE, INTERRUPTED, RUNNING, BulkOperation, overall_status
from mandates_store.database import iso_moment, to_moment, write
from mandates_store.errors import NotAllowed, UnknownEntity
from mandates_store.mandates import (
    CreateContext,
)
from mandates_store.model import Actor


def start_operation(
    db,
    kind: str,
    actor: Actor,
    role: str | None,
    types: str | None,
    source: str | None,
    now: datetime,
    source_sha256: str | None = None,
) -> int:
    party = identifiers.party_number(actor.party, "own party")[0]
    with write(db):
        return db.execute(
            "INSERT INTO bulk_operations (kind, started_at, person, party, role, mandate_types, "
            "source, status, lines_total, lines_ok, lines_failed, last_line, source_sha256, pid, "
            "host) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, ?) RETURNING id",
            [
                kind,
                iso_moment(now),
                actor.person,
                party,
                role,
                types,
                source,
                RUNNING,
                source_sha256,
                os.getpid(),
                socket.gethostname(),
            ],
        ).fetchone()[0]


def operation_by_id(db, operation_id: int):
    row = db.execute(f"{OPERATION_COLUMNS} WHERE id = ?", [operation_id]).fetchone()
    if row is None:
        raise UnknownEntity(
            f"bulk operation {operation_id} does not exist",
            f"gegroepeerde actie {operation_id} bestaat niet",
            field="operation",
            value=operation_id,
        )
    return operation_from_row(row)


def claim_operation(
    db, operation_id: int, context: CreateContext, types: str, source_sha256: str | None
) -> tuple[int, int, int]:
    """Take over an interrupted bulk create; returns its (last line, ok, failed)."""
    with write(db):
        operation = operation_by_id(db, operation_id)

        def refuse(reason: str, reden: str) -> NotAllowed:
            return NotAllowed(
                f"bulk operation {operation_id} cannot be resumed: {reason}",
                f"Gegroepeerde actie {operation_id} kan niet hervat worden: {reden}.",
                field="operation",
                value=operation_id,
            )

        if operation.kind != CREATE:
            raise refuse("it is no bulk create", "het is geen gegroepeerd aanmaken")
        if operation.status not in (RUNNING, INTERRUPTED):
            raise refuse(f"it has finished ({operation.status})", f"ze is al afgelopen ({operation.status})")
        if operation.status == RUNNING:
            raise refuse(
                f"process {operation.pid} on {operation.host} may still be running it",
                f"proces {operation.pid} op {operation.host} voert ze misschien nog uit",
            )
        if (operation.party, operation.role, set((operation.mandate_types or "").split(", "))) != (
            context.own.number,
            context.role,
            set(types.split(", ")),
        ):
            raise refuse("party, role or mandate types differ", "partij, rol of mandaattypes verschillen")
        if operation.source_sha256 and source_sha256 and operation.source_sha256 != source_sha256:
            raise refuse(
                "the file differs from the one it was reading", "het bestand verschilt van het bestand dat ze las"
            )
        db.execute(
            "UPDATE bulk_operations SET pid = ?, host = ? WHERE id = ?",
            [os.getpid(), socket.gethostname(), operation_id],
        )
    return operation.last_line or 0, operation.lines_ok, operation.lines_failed


def record_line(db, operation_id: int, line_no: int, text: str, mandate_ids: Iterable[int], reason: str | None) -> None:
    db.execute(
        "INSERT INTO bulk_lines (operation_id, line_no, input, ok, reason) VALUES (?, ?, ?, ?, ?)",
        [operation_id, line_no, text, 0 if reason else 1, reason],
    )
    for mandate_id in mandate_ids:
        db.execute(
            "INSERT INTO bulk_line_mandates (operation_id, line_no, mandate_id) VALUES (?, ?, ?)",
            [operation_id, line_no, mandate_id],
        )


def finish_operation(db, operation_id: int, ok: int, failed: int, now: datetime) -> None:
    with write(db):
        db.execute(
            "UPDATE bulk_operations SET status = ?, finished_at = ?, lines_total = ?, "
            "lines_ok = ?, lines_failed = ? WHERE id = ?",
            [overall_status(ok, failed), iso_moment(now), ok + failed, ok, failed, operation_id],
        )


OPERATION_COLUMNS = (
    "SELECT id, kind, started_at, finished_at, person, party, role, mandate_types, "
    "source, status, lines_total, lines_ok, lines_failed, last_line, source_sha256, "
    "pid, host FROM bulk_operations"
)


def operation_from_row(row: tuple) -> BulkOperation:
    values = list(row)
    values[2], values[3] = to_moment(values[2]), to_moment(values[3])
    operation = BulkOperation(*values)
    if operation.status == RUNNING and not may_be_running(operation.pid, operation.host):
        operation = replace(operation, status=INTERRUPTED)
    return operation


def may_be_running(pid: int | None, host: str | None) -> bool:
    """False only when the process is known to be gone: on this host, and not alive."""
    if pid is None or host != socket.gethostname():
        return True  # cannot tell
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a killed child not yet reaped is a zombie
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
