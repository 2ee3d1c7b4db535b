"""Loading parties, mandate types, work relationships, rights and representatives from CSV or
JSON files (formats in README.md).

A file loads whole or not at all: every record is checked by the same store functions the API
uses, inside one transaction, and the first bad record stops the load with its file, line (CSV)
or item (JSON), field and reason.
"""

import csv
import difflib
import io
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

from mandates_store import idm, kbo, mandate_types, parties
from mandates_store.database import write
from mandates_store.engines import Database
from mandates_store.errors import FileFormatError, StoreError
from mandates_store.model import LANGUAGES, Address
from mandates_store.textfiles import read_text

LIST_SEPARATOR = "|"  # inside one CSV field: several mandate types, givers or combinations


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    """(line or item number, record with lower-case keys) from a .json or a .csv file."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FileFormatError(
                str(path), error.lineno, None, f"not valid JSON: {error.msg}", f"geen geldige JSON: {error.msg}"
            ) from None
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, list)), None)
        if not isinstance(data, list):
            raise FileFormatError(str(path), 1, None, "expected a list of objects", "een lijst van objecten verwacht")
        for number, item in enumerate(data, 1):
            if not isinstance(item, dict):
                raise FileFormatError(str(path), number, None, "item is not an object", "element is geen object")
            yield number, {str(k).strip().lower(): v for k, v in item.items()}
        return
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if not header or not any(header):
        raise FileFormatError(
            str(path), 1, None, "the first line must name the columns", "de eerste lijn moet de kolommen benoemen"
        )
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise FileFormatError(
                str(path),
                line,
                None,
                f"{len(row)} fields, the header names {len(header)}",
                f"{len(row)} velden, de kop noemt er {len(header)}",
            )
        yield line, {key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(header)}


def _text(record: dict, key: str, required: bool = False) -> str | None:
    value = record.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise StoreError(f"{key} is required", f"{key} is verplicht", field=key)
    return value or None


def _list(record: dict, key: str) -> list[str] | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(LIST_SEPARATOR) if v.strip()]


def parse_date(text: object, field: str) -> date | None:
    """yyyy-mm-dd, dd/mm/yyyy or yyyyMMdd."""
    value = "" if text is None else str(text).strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise StoreError(
        f"{field} '{value}' is not a date (yyyy-mm-dd, dd/mm/yyyy or yyyyMMdd)",
        f"{field} '{value}' is geen datum (jjjj-mm-dd, dd/mm/jjjj of jjjjMMdd)",
        field=field,
        value=value,
    )


def _required_date(record: dict, key: str) -> date:
    found = parse_date(record.get(key), key)
    if found is None:
        raise StoreError(f"{key} is required", f"{key} is verplicht", field=key)
    return found


def _unknown_keys(path: Path, line: int, record: dict, allowed: frozenset[str]) -> None:
    """As strict as a policy file: a mistyped key (`nmes`) is refused, never silently ignored."""
    for key in record:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            hint_nl = f" (bedoel je '{close[0]}'?)" if close else ""
            known = ", ".join(sorted(allowed))
            raise FileFormatError(
                str(path),
                line,
                key,
                f"unknown key{hint}; known keys: {known}",
                f"onbekende sleutel{hint_nl}; gekend: {known}",
            )


def _load(db: Database, path: str | Path, add: Callable[[dict], object], allowed: frozenset[str]) -> int:
    path = Path(path)
    if not path.exists():
        raise FileFormatError(str(path), 0, None, "file not found", "bestand niet gevonden")
    count = 0
    with write(db):
        for line, record in _records(path):
            _unknown_keys(path, 1 if path.suffix.lower() == ".csv" else line, record, allowed)
            try:
                add(record)
            except FileFormatError:
                raise
            except StoreError as error:
                raise FileFormatError(str(path), line, error.field, error.message, error.message_nl) from error
            count += 1
    return count


def load_parties(db: Database, path: str | Path) -> int:
    """Columns: number, name, street, house_number, postcode, city (kind follows the number)."""

    def add(record: dict) -> None:
        parties.put_party(
            db,
            _text(record, "number", True),
            _text(record, "name", True),
            Address(
                _text(record, "street"), _text(record, "house_number"), _text(record, "postcode"), _text(record, "city")
            ),
        )

    return _load(db, path, add, frozenset({"number", "name", "street", "house_number", "postcode", "city"}))


def load_mandate_types(db: Database, path: str | Path) -> int:
    """Columns: code, name_nl..name_en, contract_nl..contract_en, combinations
    (e.g. organisation>organisation|person>organisation); JSON may nest names/contracts."""

    def add(record: dict) -> None:
        names = _per_language(record, "names")
        contracts = _per_language(record, "contracts")
        for language in LANGUAGES:
            names.setdefault(language, _text(record, f"name_{language}"))
            contracts.setdefault(language, _text(record, f"contract_{language}"))
        # a type is shown by its name and created only after its contract text is accepted
        for values, key, what_nl in (
            (names, "name_nl", "de Nederlandse naam"),
            (contracts, "contract_nl", "de Nederlandse contracttekst"),
        ):
            if not values.get("nl"):
                raise StoreError(f"{key} is required", f"{key} ({what_nl}) is verplicht", field=key)
        combos = _list(record, "combinations") or []
        mandate_types.put_mandate_type(
            db,
            _text(record, "code", True),
            names=names,
            contracts=contracts,
            combinations={mandate_types.parse_combination(c) for c in combos},
        )

    per_language = {f"{key}_{language}" for key in ("name", "contract") for language in LANGUAGES}
    return _load(db, path, add, frozenset({"code", "names", "contracts", "combinations", *per_language}))


def _per_language(record: dict, key: str) -> dict:
    value = record.get(key) or {}
    if not isinstance(value, dict):
        raise StoreError(
            f"{key} must be an object of language: text", f"{key} moet een object taal: tekst zijn", field=key
        )
    for language in value:
        if language not in LANGUAGES:
            raise StoreError(
                f"{key}: unknown language '{language}' (use nl, fr, de or en)",
                f"{key}: onbekende taal '{language}' (gebruik nl, fr, de of en)",
                field=key,
            )
    return {language: (str(text).strip() or None) for language, text in value.items()}


def load_work_relationships(db: Database, path: str | Path) -> int:
    """Columns: person, organisation, valid_from, valid_until."""

    def add(record: dict) -> None:
        idm.add_work_relationship(
            db,
            _text(record, "person", True),
            _text(record, "organisation", True),
            _required_date(record, "valid_from"),
            parse_date(record.get("valid_until"), "valid_until"),
        )

    return _load(db, path, add, frozenset({"person", "organisation", "valid_from", "valid_until"}))


def load_rights(db: Database, path: str | Path) -> int:
    """Columns: person, organisation, right, valid_from, valid_until, mandate_types, givers."""

    def add(record: dict) -> None:
        idm.grant_right(
            db,
            _text(record, "person", True),
            _text(record, "organisation", True),
            _text(record, "right", True),
            _required_date(record, "valid_from"),
            parse_date(record.get("valid_until"), "valid_until"),
            mandate_types=_list(record, "mandate_types") or (),
            givers=_list(record, "givers"),
        )

    allowed = {"person", "organisation", "right", "valid_from", "valid_until", "mandate_types", "givers"}
    return _load(db, path, add, frozenset(allowed))


def load_representatives(db: Database, path: str | Path) -> int:
    """Columns: person, enterprise, function, since, until."""

    def add(record: dict) -> None:
        kbo.add_representative(
            db,
            _text(record, "person", True),
            _text(record, "enterprise", True),
            _text(record, "function", True),
            _required_date(record, "since"),
            parse_date(record.get("until"), "until"),
        )

    return _load(db, path, add, frozenset({"person", "enterprise", "function", "since", "until"}))


LOADERS = {
    "parties": load_parties,
    "types": load_mandate_types,
    "work-relationships": load_work_relationships,
    "rights": load_rights,
    "representatives": load_representatives,
}
