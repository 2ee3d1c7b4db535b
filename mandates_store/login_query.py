"""Everything one login's options are built from, read with one statement (login.py builds them).

On PostgreSQL each statement is a round trip to another process, so the several lookups of a
login (the person, the employers, the legal representations, the rights, the mandates taken by
the person, by the firms where the person is executor, by the enterprises the person represents)
are one UNION ALL; every row starts with its route, which says what its columns hold. The
executor route's rules are joins here: the right valid on the day, inside a valid work
relationship, the types it covers, and its givers when it lists any. The same SQL runs on SQLite.

Row shapes (NULL-padded to nine columns):
    PARTY, EMPLOYER       route, -, number, kind, name
    REPRESENTATION        route, representation id, number, kind, name, function
    RIGHT                 route, right id, organisation, right name
    MINE, EXECUTED + right id, VIA_REP
                          route, mandate id, type, start, end, giver number, giver name (the
                          mandate's copy, schema.GIVER_NAME: no join to the parties),
                          'mandate:' || id, taker number (VIA_REP only)
The mandates of the firm where the person holds the executor right r have the route
EXECUTED + r: the taker follows from the route (and the RIGHT rows, asked whenever mandates
are), so a firm's thousands of rows carry no taker column, and the builder can take them as
they come. (The executor rights are not listed from the CTE itself: SQLite plans a CTE used
twice without its size and then scans every mandate for a Bloom filter.)

The routes are numbered in the order the builder needs them: the facts first, then the mandate
routes in the order their options are taken (the first route to a mandate wins). Both engines
return a UNION ALL's branches in the order written, so the rows arrive in route order; a builder
that meets them otherwise asks again with `in_route_order`.
"""

import functools
from collections.abc import Iterator
from itertools import chain
from operator import itemgetter

from mandates_store.model import MANDAATUITVOERDER, Scope
from mandates_store.schema import GIVER_NAME

PARTY, EMPLOYER, REPRESENTATION, RIGHT, MINE, EXECUTED = range(6)
VIA_REP = 1 << 62  # after every EXECUTED + right id
ROUTE = itemgetter(0)
_BLOCK = 256  # rows made per call into the driver (C), few alive at once

_VALID = "{0}.{1} <= ? AND ({0}.{2} IS NULL OR {0}.{2} > ?)"  # a period holding on the day
_ACTIVE_ON = "m.state = 'signed' AND " + _VALID.format("m", "start_date", "end_date")
_PAD = ", NULL" * 9
_NO_ID = "CAST(NULL AS BIGINT)"  # typed: PostgreSQL matches a UNION's column types branch by branch


def _columns(*values: str) -> str:
    """A branch's select list, NULL-padded to the statement's nine columns."""
    return ", ".join(values) + _PAD[: 6 * (9 - len(values))]


Shape = tuple[bool, bool, bool, bool, int, bool]


def shape_of(scope: Scope, with_party: bool, one_mandate: bool = False) -> Shape:
    """What a scope asks: (the person's party row, the rights (for a member right or the
    executor route), the legal representations, the mandates, how many mandate types, whether
    every mandate route asks for one mandate id only)."""
    with_mandates = bool(scope.mandate and scope.mandate_types)
    return (
        with_party,
        bool(scope.work_relationship and scope.member_right) or with_mandates,
        scope.legal_representative,
        with_mandates,
        len(scope.mandate_types) if with_mandates else 0,
        one_mandate and with_mandates,
    )


@functools.lru_cache(maxsize=64)
def statement(shape: Shape) -> str:
    """The statement for one shape of question (the same on both engines)."""
    with_party, with_rights, with_reps, with_mandates, code_count, one_mandate = shape
    cte, branches = "", []
    if with_mandates:
        # The executor's rights, materialised: whether a right lists givers is asked once per
        # right, not once per mandate row.
        cte = (
            "WITH executing AS MATERIALIZED (SELECT u.id, u.organisation, "
            "EXISTS (SELECT 1 FROM user_right_givers x WHERE x.right_id = u.id) AS narrowed "
            f"FROM user_rights u WHERE u.person = ? AND u.name = '{MANDAATUITVOERDER}' "
            f"AND {_VALID.format('u', 'valid_from', 'valid_until')} "
            "AND EXISTS (SELECT 1 FROM work_relationships w WHERE w.person = u.person "
            f"AND w.organisation = u.organisation AND {_VALID.format('w', 'valid_from', 'valid_until')})) "
        )
    if with_party:
        branches.append(
            f"SELECT {_columns(str(PARTY), _NO_ID, 'number', 'kind', 'name')} FROM parties WHERE number = ?"
        )
    branches.append(
        f"SELECT DISTINCT {_columns(str(EMPLOYER), _NO_ID, 'p.number', 'p.kind', 'p.name')} "
        "FROM work_relationships w JOIN parties p ON p.number = w.organisation "
        f"WHERE w.person = ? AND {_VALID.format('w', 'valid_from', 'valid_until')}"
    )
    if with_reps:
        branches.append(
            f"SELECT {_columns(str(REPRESENTATION), 'r.id', 'p.number', 'p.kind', 'p.name', 'r.function')} "
            "FROM legal_representatives r JOIN parties p ON p.number = r.enterprise "
            f"WHERE r.person = ? AND {_VALID.format('r', 'since', 'until')}"
        )
    if with_rights:
        branches.append(
            f"SELECT {_columns(str(RIGHT), 'u.id', 'u.organisation', 'u.name')} FROM user_rights u "
            f"WHERE u.person = ? AND {_VALID.format('u', 'valid_from', 'valid_until')}"
        )
    if with_mandates:
        # One type (the usual case): its code is a parameter, not read per row.
        code = "m.type_code" if code_count > 1 else "?"
        marks = ",".join("?" * code_count)
        mandate = ("m.id", code, "m.start_date", "m.end_date", "m.giver", f"m.{GIVER_NAME}", "'mandate:' || m.id")
        only = " AND m.id = ?" if one_mandate else ""  # each mandate branch ends with it
        branches.append(
            f"SELECT {_columns(str(MINE), *mandate)} FROM mandates m "
            f"WHERE m.taker = ? AND m.type_code IN ({marks}) AND {_ACTIVE_ON}{only}"
        )
        branches.append(
            f"SELECT {_columns(f'{EXECUTED} + e.id', *mandate)} FROM executing e "
            f"JOIN user_right_mandate_types t ON t.right_id = e.id AND t.type_code IN ({marks}) "
            f"JOIN mandates m ON m.taker = e.organisation AND m.type_code = t.type_code "
            f"WHERE {_ACTIVE_ON} AND (NOT e.narrowed OR EXISTS (SELECT 1 FROM user_right_givers x "
            f"WHERE x.right_id = e.id AND x.giver = m.giver)){only}"
        )
        if with_reps:
            branches.append(
                f"SELECT {_columns(str(VIA_REP), *mandate, 'm.taker')} FROM legal_representatives r "
                f"JOIN mandates m ON m.taker = r.enterprise "
                f"WHERE r.person = ? AND {_VALID.format('r', 'since', 'until')} "
                f"AND m.type_code IN ({marks}) AND {_ACTIVE_ON}{only}"
            )
    return cte + " UNION ALL ".join(branches)


def parameters(shape: Shape, person: str, day: str, codes: list[str], mandate_id: int | None = None) -> list:
    """The statement's parameters, in the order of its `?`s; `mandate_id` for a one-mandate shape."""
    with_party, with_rights, with_reps, with_mandates, _, one_mandate = shape
    period = [person, day, day]
    params = [*period, day, day] if with_mandates else []  # the executor's rights
    if with_party:
        params.append(person)
    params += period  # employers
    if with_reps:
        params += period
    if with_rights:
        params += period
    if with_mandates:
        one_code = codes[: len(codes) == 1]  # the code column's parameter, for one type
        only = [mandate_id] if one_mandate else []
        params += [*one_code, person, *codes, day, day, *only]  # the person's
        params += [*one_code, *codes, day, day, *only]  # the firms'
        if with_reps:
            params += [*one_code, *period, *codes, day, day, *only]
    return params


def login_rows(db, shape: Shape, person: str, day: str, codes: list[str], mandate_id=None) -> Iterator[tuple]:
    """The rows as they come, made a block at a time (a cursor's own iteration is a Python call
    per row on psycopg; a whole list keeps thousands of rows alive for the garbage collector)."""
    cursor = db.execute(statement(shape), parameters(shape, person, day, codes, mandate_id))
    return chain.from_iterable(iter(functools.partial(cursor.fetchmany, _BLOCK), []))


def in_route_order(db, shape: Shape, person: str, day: str, codes: list[str], mandate_id=None) -> list[tuple]:
    """The rows sorted by route: for a builder that met them out of order."""
    return sorted(login_rows(db, shape, person, day, codes, mandate_id), key=ROUTE)
