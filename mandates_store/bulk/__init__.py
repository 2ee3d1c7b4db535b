"""Bulk actions ("Gegroepeerde acties"): create from the seeds' CSV, sign or stop a search result.

Evaluated line by line and never aborted as a whole. Each line is all or nothing: its
mandates, their history and its report line go in together or not at all. What is fixed for
the whole operation (type, role, the acting person's authority) is checked first and refuses
the operation. The counterparty's e-mail address is checked for shape but never stored (the
report shows the line with that field emptied).

Bulk create commits its lines in groups (by default 1,000 lines or 0.1 s, whichever comes
first), never in the middle of a line. One commit per line cannot reach the required 20,000
lines/s on SQLite (a commit alone costs ~40 us, the whole budget of a line at 20,000/s). Each
group's commit also records how far the operation got (`last_line`), so a process killed
half-way leaves the lines before the last commit done and none half-done, the operation shows
as interrupted ("Onderbroken"), and `resume=` continues it from the next line without creating
a line twice. `commit_every=1` still gives one transaction per line.

Inside a group the lines are checked and written in chunks: the chunk's counterparties and the
signed mandates they could conflict with are read with one query each, every rule is checked
in Python in the same order as for a single creation (mandates.create_in_context, whose check
functions it calls), and the rows of all good lines go in with one executemany per table. The
write lock is held from the reads to the commit, so nothing can change in between. Should an
insert still fail (a rule only the schema knows), the group is rolled back and its lines are
redone one by one through create_in_context, each line in its own savepoint, which yields the
exact reason.
"""

from mandates_store.bulk.create import bulk_create
from mandates_store.bulk.csv_format import parse_line, read_lines, redact
from mandates_store.bulk.model import (
    COMMIT_LINES,
    COMMIT_SECONDS,
    CREATE,
    SIGN,
    STOP,
    BulkLine,
    BulkOperation,
    BulkReport,
)
from mandates_store.bulk.reports import (
    bulk_report,
    file_sha256,
    interrupted_creates,
    lines_sha256,
    operations,
    report_text_nl,
)
from mandates_store.bulk.search_actions import bulk_sign, bulk_stop, preview

__all__ = [
    "BulkLine",
    "BulkOperation",
    "BulkReport",
    "COMMIT_LINES",
    "COMMIT_SECONDS",
    "CREATE",
    "SIGN",
    "STOP",
    "bulk_create",
    "bulk_report",
    "bulk_sign",
    "bulk_stop",
    "file_sha256",
    "interrupted_creates",
    "lines_sha256",
    "operations",
    "parse_line",
    "preview",
    "read_lines",
    "redact",
    "report_text_nl",
]
