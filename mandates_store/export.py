"""Export a search result with the seeds' fixed columns, as CSV (`;`, like Belgian Excel) or as
an .xlsx spreadsheet (written with openpyxl in write-only mode, so large results stream)."""

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from mandates_store.model import Mandate

COLUMNS = (
    "Identificatienummer",
    "Mandaattype",
    "Naam mandaatgever",
    "Nummer mandaatgever",
    "Naam mandaatnemer",
    "Nummer mandaatnemer",
    "Begindatum",
    "Einddatum",
    "Status",
)


def shown_end(mandate: Mandate) -> date | None:
    """A stopped mandate shows its stop date as end date, as in the seeds' lists."""
    if mandate.stopped_at is not None:
        return mandate.stopped_at.date()
    return mandate.end_date


def row_of(mandate: Mandate) -> tuple:
    return (
        mandate.id,
        mandate.type_code,
        mandate.giver.name,
        mandate.giver.number,
        mandate.taker.name,
        mandate.taker.number,
        mandate.start_date,
        shown_end(mandate),
        mandate.status_nl,
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_csv(mandates: Iterable[Mandate], path: str | Path) -> int:
    count = 0
    # utf-8-sig: Excel then reads the accents (Emmaüs) right.
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(COLUMNS)
        for mandate in mandates:
            writer.writerow([_text(v) for v in row_of(mandate)])
            count += 1
    return count


def write_xlsx(mandates: Iterable[Mandate], path: str | Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Mandaten")
    sheet.append(COLUMNS)
    count = 0
    for mandate in mandates:
        cells = []
        for value in row_of(mandate):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, str) and value.isdigit():
                cell.number_format = "@"  # numbers keep their leading zero
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(str(path))
    return count


def export(mandates: Iterable[Mandate], path: str | Path) -> int:
    """By the file's extension: .xlsx or .csv."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return write_xlsx(mandates, path)
    if suffix == ".csv":
        return write_csv(mandates, path)
    from mandates_store.errors import InvalidInput

    raise InvalidInput(
        f"export file must end in .csv or .xlsx, not '{suffix}'",
        "het exportbestand moet eindigen op .csv of .xlsx",
        field="file",
        value=str(path),
    )
