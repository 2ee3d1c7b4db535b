"""Searching mandates with the seeds' filters; no filter = every mandate the party takes part in."""

import re
from dataclasses import dataclass, field
from datetime import date

from mandates_store import identifiers
from mandates_store.database import iso_date
from mandates_store.engines import Database
from mandates_store.errors import InvalidInput
from mandates_store.mandates import select_mandates
from mandates_store.model import ADMINISTRATOR, GIVER, TAKER, Mandate
from mandates_store.status import status_sql

EITHER = "either"


@dataclass(frozen=True)
class MandateSearch:
    party: str | None  # whose mandates; None only for an administrator's search over all
    role: str = EITHER  # the party's own role: giver, taker or either
    types: frozenset[str] = frozenset()
    status: str | None = None  # a status code, see status.STATUSES
    changed_by: str | None = None  # giver, taker or administrator
    participants: tuple[str, ...] = field(default=())  # numbers; the other side must be one
    name: str | None = None  # part of the other side's name, no wildcards
    reference: str | None = None  # the own reference, whole
    changed_since: date | None = None


def parse_participants(text: str) -> tuple[str, ...]:
    """ "0411.515.075, 88012226557 0806154033" -> normalised numbers."""
    parts = [p for p in re.split(r"[,\s;]+", text or "") if p]
    return tuple(identifiers.party_number(p, "participants")[0] for p in parts)


def search_mandates(db: Database, search: MandateSearch, day: date, limit: int | None = None) -> list[Mandate]:
    """Newest first."""
    where, params = _where(search, day)
    return select_mandates(db, " AND ".join(where) or "1 = 1", params, day, order="m.id DESC", limit=limit)


def count_mandates(db: Database, search: MandateSearch, day: date) -> int:
    where, params = _where(search, day)
    sql = (
        "SELECT count(*) FROM mandates m JOIN parties g ON g.number = m.giver JOIN parties t ON t.number = m.taker "
        f"WHERE {' AND '.join(where) or '1 = 1'}"
    )
    return db.execute(sql, params).fetchone()[0]


def search_page(db: Database, search: MandateSearch, day: date, offset: int, limit: int) -> list[Mandate]:
    """One page of the result, newest first: `limit` mandates after the first `offset`."""
    where, params = _where(search, day)
    order = f"m.id DESC LIMIT {int(limit)} OFFSET {max(0, int(offset))}"
    return select_mandates(db, " AND ".join(where) or "1 = 1", params, day, order=order)


def _where(search: MandateSearch, day: date) -> tuple[list[str], list]:
    where: list[str] = []
    params: list = []
    other = None
    if search.party is not None:
        own = identifiers.party_number(search.party, "party")[0]
        if search.role == GIVER:
            where.append("m.giver = ?")
            params.append(own)
            other = "m.taker"
        elif search.role == TAKER:
            where.append("m.taker = ?")
            params.append(own)
            other = "m.giver"
        elif search.role == EITHER:
            where.append("(m.giver = ? OR m.taker = ?)")
            params += [own, own]
            other = "(CASE WHEN m.giver = ? THEN m.taker ELSE m.giver END)"
        else:
            raise InvalidInput(
                f"role must be giver, taker or either, not '{search.role}'",
                "rol moet mandaatgever, mandaatnemer of beide zijn",
                field="role",
                value=search.role,
            )
    if search.types:
        where.append(f"m.type_code IN ({','.join('?' * len(search.types))})")
        params += sorted(search.types)
    if search.status:
        where.append(f"{status_sql('?', 'm.')} = ?")
        params += [iso_date(day), iso_date(day), search.status]
    if search.changed_by:
        if search.changed_by not in (GIVER, TAKER, ADMINISTRATOR):
            raise InvalidInput(
                f"changed by must be giver, taker or administrator, not '{search.changed_by}'",
                "gewijzigd door: mandaatgever, mandaatnemer of beheerder",
                field="changed by",
            )
        where.append("m.changed_by = ?")
        params.append(search.changed_by)
    if search.participants:
        numbers = sorted(set(search.participants))
        marks = ",".join("?" * len(numbers))
        if other is None:
            where.append(f"(m.giver IN ({marks}) OR m.taker IN ({marks}))")
            params += numbers + numbers
        else:
            where.append(f"{other} IN ({marks})")
            params += ([own] if search.role == EITHER else []) + numbers
    if search.name:
        pattern = "%" + _escape(search.name.strip()) + "%"
        if other is None:
            where.append("(lower(g.name) LIKE lower(?) ESCAPE '\\' OR lower(t.name) LIKE lower(?) ESCAPE '\\')")
            params += [pattern, pattern]
        else:
            side = {"m.taker": "t.name", "m.giver": "g.name"}.get(
                other, "(CASE WHEN m.giver = ? THEN t.name ELSE g.name END)"
            )
            # lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not
            where.append(f"lower({side}) LIKE lower(?) ESCAPE '\\'")
            params += ([own] if search.role == EITHER else []) + [pattern]
    if search.reference:
        where.append("m.reference = ?")
        params.append(search.reference.strip())
    if search.changed_since:
        where.append("m.changed_at >= ?")
        params.append(iso_date(search.changed_since))
    return where, params


def _escape(text: str) -> str:
    """No wildcards: % and _ are searched as themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
