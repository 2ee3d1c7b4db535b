"""Bulk actions' values: the kinds, the commit groups' size, the operation, its lines and report."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

CREATE, SIGN, STOP = "create", "sign", "stop"
KIND_NL = {CREATE: "Gegroepeerd aanmaken", SIGN: "Gegroepeerd ondertekenen", STOP: "Gegroepeerd stopzetten"}
SUCCESS, FAILURE, PARTIAL, RUNNING = "Geslaagd", "Fout", "Gedeeltelijk succes", "Bezig"
INTERRUPTED = "Onderbroken"  # shown (never stored) for a running operation whose process died

# Bulk create's default commit groups: at most this many lines, or this long, per commit.
COMMIT_LINES = 1000
COMMIT_SECONDS = 0.1
CHUNK_LINES = 250  # lines checked and written together inside a group

FIELDS = ("counterparty", "e-mail", "quality code", "language", "reference", "start date", "end date")


class BulkLine(NamedTuple):
    """A named tuple, like model.Party: a report holds one per line of a file (100,000 and more),
    and a frozen dataclass is built several times slower."""

    line_no: int
    input: str
    ok: bool
    mandate_ids: tuple[int, ...]
    reason: str | None  # Dutch, as in the seeds' report


@dataclass(frozen=True)
class BulkOperation:
    id: int
    kind: str
    started_at: datetime
    finished_at: datetime | None
    person: str | None
    party: str
    role: str | None
    mandate_types: str | None
    source: str | None
    status: str  # Geslaagd | Fout | Gedeeltelijk succes | Bezig (running) | Onderbroken
    lines_total: int  # finished: the lines done; running (bulk create): all lines of its file
    lines_ok: int
    lines_failed: int
    last_line: int | None = None  # the last input line committed (bulk create)
    source_sha256: str | None = None
    pid: int | None = None  # the process running it, on host
    host: str | None = None

    @property
    def interrupted(self) -> bool:
        return self.status == INTERRUPTED

    @property
    def kind_nl(self) -> str:
        return KIND_NL[self.kind]


@dataclass(frozen=True)
class BulkReport:
    operation: BulkOperation
    lines: list[BulkLine]

    @property
    def status(self) -> str:
        return self.operation.status

    @property
    def created(self) -> list[int]:
        return [i for line in self.lines if line.ok for i in line.mandate_ids]

    @property
    def refused(self) -> list[BulkLine]:
        return [line for line in self.lines if not line.ok]


@dataclass(frozen=True)
class CsvMandate:
    counterparty: str
    language: str | None
    reference: str | None
    start: date | None
    end: date | None


def overall_status(ok: int, failed: int) -> str:
    if failed == 0:
        return SUCCESS
    return FAILURE if ok == 0 else PARTIAL
