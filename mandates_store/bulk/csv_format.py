"""The seeds' CSV format for bulk create: reading, splitting, redacting and parsing one line."""

import csv
import functools
import re
from datetime import date
from pathlib import Path

from mandates_store.bulk.model import FIELDS, CsvMandate
from mandates_store.errors import InvalidInput
from mandates_store.textfiles import read_text

EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")


# --- the CSV format -----------------------------------------------------------------------


def read_lines(path: str | Path) -> list[str]:
    return read_text(path).splitlines()


def split_line(text: str) -> list[str]:
    if '"' in text or "\r" in text or "\n" in text or "\0" in text:
        return next(csv.reader([text], delimiter=";"), [])
    return text.split(";")  # what csv.reader gives for a line without quotes


def redact(text: str, fields: list[str] | None = None) -> str:
    """The line as stored in the report: without the e-mail address (never stored).
    `fields`: the line already split (split_line), so a caller that parses it too splits once."""
    fields = split_line(text) if fields is None else list(fields)
    if len(fields) >= 2 and fields[1]:
        fields[1] = ""
        return ";".join(fields)
    return text


def parse_line(text: str) -> CsvMandate:
    return CsvMandate(*parse_fields(split_line(text)))


def parse_fields(fields: list[str]) -> tuple:
    """A split line's (counterparty, language, reference, start, end), CsvMandate's fields: a
    plain tuple, as bulk create parses each line of a file (a frozen dataclass costs ~1 us)."""
    fields = [f.strip() for f in fields]
    if len(fields) > len(FIELDS):
        raise InvalidInput(
            f"too many fields ({len(fields)}, at most {len(FIELDS)})",
            f"Te veel velden ({len(fields)}, maximaal {len(FIELDS)}).",
            field="line",
        )
    fields += [""] * (len(FIELDS) - len(fields))
    number, email, quality, language, reference, start, end = fields
    if not number:
        raise InvalidInput(
            "the counterparty's number is required",
            "Het identificatienummer van de tegenpartij is verplicht.",
            field="counterparty",
        )
    if email and not EMAIL.match(email):
        raise InvalidInput(
            f"'{email}' is not an e-mail address", "Het e-mailadres van de tegenpartij is ongeldig.", field="e-mail"
        )
    if quality:
        raise InvalidInput(
            "the quality code must stay empty for these mandates",
            "De quality code moet leeg blijven.",
            field="quality code",
            value=quality,
        )
    return (
        number,
        language or None,
        reference or None,
        _date8(start, "start date", "begindatum") if start else None,
        _date8(end, "end date", "einddatum") if end else None,
    )


@functools.lru_cache(maxsize=4096)  # a file has few distinct dates; refusals are not cached
def _date8(text: str, field: str, veld: str) -> date:
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvalidInput(
            f"{field} '{text}' is not a date yyyyMMdd",
            f"De {veld} '{text}' is geen geldige datum (formaat jjjjMMdd).",
            field=field,
            value=text,
        ) from None
