"""Mandate types: configured by administrators, with contract texts and allowed combinations."""

from mandates_store.database import write
from mandates_store.engines import Database
from mandates_store.errors import InvalidInput, UnknownEntity
from mandates_store.model import LANGUAGES, ORGANISATION, PERSON, MandateType

KINDS = (ORGANISATION, PERSON)
COMBINATION_NAMES = {  # the seeds' words, as used in files
    "organisation>organisation": (ORGANISATION, ORGANISATION),
    "organisation>person": (ORGANISATION, PERSON),
    "person>organisation": (PERSON, ORGANISATION),
    "person>person": (PERSON, PERSON),
}


def parse_combination(text: str) -> tuple[str, str]:
    key = text.strip().lower().replace(" ", "").replace("->", ">").replace("→", ">")
    if key not in COMBINATION_NAMES:
        raise InvalidInput(
            f"unknown giver>taker combination '{text}' (use one of {', '.join(COMBINATION_NAMES)})",
            f"onbekende combinatie mandaatgever>mandaatnemer '{text}'",
            field="combinations",
            value=text,
        )
    return COMBINATION_NAMES[key]


def put_mandate_type(
    db: Database,
    code: str,
    *,
    names: dict[str, str] | None = None,
    contracts: dict[str, str] | None = None,
    combinations: set[tuple[str, str]] | frozenset[tuple[str, str]],
) -> MandateType:
    """Add or replace a type. Every type needs at least one allowed combination."""
    code = (code or "").strip()
    if not code:
        raise InvalidInput("mandate type code is required", "de code van het mandaattype is verplicht", field="code")
    names = {k: v for k, v in (names or {}).items() if v}
    contracts = {k: v for k, v in (contracts or {}).items() if v}
    for language in list(names) + list(contracts):
        if language not in LANGUAGES:
            raise InvalidInput(
                f"unknown language '{language}' (use nl, fr, de or en)",
                f"onbekende taal '{language}'",
                field="language",
                value=language,
            )
    combinations = frozenset(combinations)
    if not combinations:
        raise InvalidInput(
            f"mandate type '{code}' needs at least one allowed combination",
            f"mandaattype '{code}' heeft minstens één toegelaten combinatie nodig",
            field="combinations",
        )
    for giver_kind, taker_kind in combinations:
        if giver_kind not in KINDS or taker_kind not in KINDS:
            raise InvalidInput(
                f"unknown combination {giver_kind}>{taker_kind}",
                f"onbekende combinatie {giver_kind}>{taker_kind}",
                field="combinations",
            )
    row = {"code": code}
    for language in LANGUAGES:
        row[f"name_{language}"] = names.get(language)
        row[f"contract_{language}"] = contracts.get(language)
    with write(db):
        db.upsert("mandate_types", row, pk="code")
        db.execute("DELETE FROM mandate_type_combinations WHERE type_code = ?", [code])
        db.insert_many(
            "mandate_type_combinations",
            [{"type_code": code, "giver_kind": g, "taker_kind": t} for g, t in sorted(combinations)],
        )
    return MandateType(code, names, contracts, combinations)


def get_mandate_type(db: Database, code: str) -> MandateType | None:
    row = db.execute("SELECT * FROM mandate_types WHERE code = ?", [code]).fetchone()
    if row is None:
        return None
    columns = [d[0] for d in db.execute("SELECT * FROM mandate_types LIMIT 0").description]
    values = dict(zip(columns, row))
    combos = frozenset(
        db.execute(
            "SELECT giver_kind, taker_kind FROM mandate_type_combinations WHERE type_code = ?", [code]
        ).fetchall()
    )
    return MandateType(
        code,
        {lang: values[f"name_{lang}"] for lang in LANGUAGES if values[f"name_{lang}"]},
        {lang: values[f"contract_{lang}"] for lang in LANGUAGES if values[f"contract_{lang}"]},
        frozenset(tuple(c) for c in combos),
    )


def require_mandate_type(db: Database, code: str) -> MandateType:
    found = get_mandate_type(db, (code or "").strip())
    if found is None:
        raise UnknownEntity(
            f"unknown mandate type '{code}'", f"onbekend mandaattype '{code}'", field="mandate type", value=code
        )
    return found


def all_mandate_types(db: Database) -> list[MandateType]:
    codes = [r[0] for r in db.execute("SELECT code FROM mandate_types ORDER BY code")]
    return [get_mandate_type(db, code) for code in codes]


def types_for(db: Database, kind: str) -> list[MandateType]:
    """The types a party of this kind can take part in (as giver or taker)."""
    return [t for t in all_mandate_types(db) if any(kind in combo for combo in t.combinations)]


def check_combinable(types: list[MandateType]) -> None:
    """Several types at once must allow exactly the same combinations."""
    if len({t.combinations for t in types}) > 1:
        raise InvalidInput(
            "the selected mandate types cannot be combined (their giver-taker combinations differ)",
            "De aangeduide mandaattypes zijn niet onderling combineerbaar (de relatie "
            "mandaatgever - mandaatnemer is verschillend)",
            field="mandate types",
            value=", ".join(t.code for t in types),
        )
