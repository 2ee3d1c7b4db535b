"""Login options: on whose behalf may this person log in to an application with this scope?

Read-only and on the broker's login path, so it uses plain cursors on indexed columns (no
savepoints) and builds every option from a handful of queries.
"""

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from itertools import groupby

from mandates_store import identifiers, login_query
from mandates_store.database import day_of, iso_date, to_date
from mandates_store.engines import Database
from mandates_store.model import (
    KIND_ORDER,
    LEGAL_REPRESENTATIVE,
    MANDAATUITVOERDER,
    MANDATE,
    ORGANISATION,
    OWN_NAME,
    PERSON,
    WORK_RELATIONSHIP,
    LoginOption,
    Party,
    Reason,
    Scope,
)

_ACTIVE_ON = "m.state = 'signed' AND m.start_date <= ? AND (m.end_date IS NULL OR m.end_date > ?)"


def login_options(db: Database, person: str, at: date | datetime, scope: Scope, name: str = "") -> list[LoginOption]:
    """`name`: the person's name as the authenticator gave it; it names the person in every option."""
    return _options(db, person, at, scope, name, None)


def login_option(
    db: Database, person: str, at: date | datetime, scope: Scope, key: str, name: str = ""
) -> LoginOption | None:
    """The option `key` (as login_options names it) if it still holds, else None: the same
    statement and rules, asked for that option only (a mandate's routes for its id alone, no
    mandate rows at all for another kind), so a firm's thousands of givers are not read again."""
    kind, _, mandate_id = key.partition(":")
    if kind != "mandate":
        mandate_id, scope = None, replace(scope, mandate=False)
    elif identifiers.ascii_digits(mandate_id) and len(mandate_id) < 19:
        mandate_id = int(mandate_id)
    else:
        return None
    return next((o for o in _options(db, person, at, scope, name, mandate_id) if o.key == key), None)


def _options(db: Database, person: str, at, scope: Scope, name: str, mandate_id: int | None) -> list[LoginOption]:
    number = identifiers.person_number(person, "person")
    question = (
        login_query.shape_of(scope, with_party=not name, one_mandate=mandate_id is not None),
        number,
        iso_date(day_of(at)),
        sorted(scope.mandate_types),
        mandate_id,
    )
    try:
        return _built(login_query.login_rows(db, *question), number, name, scope, question[3])
    except _OutOfOrder:
        return _built(login_query.in_route_order(db, *question), number, name, scope, question[3])


class _OutOfOrder(Exception):
    """The statement's rows did not come in route order (see login_query)."""


def _built(rows: Iterable[tuple], number: str, name: str, scope: Scope, codes: list[str]) -> list[LoginOption]:
    """The options from the statement's rows, taken as they come: the facts (the person, the
    employers, the representations, the rights) first, then each mandate route's rows."""
    groups = groupby(rows, login_query.ROUTE)
    facts: dict[int, list[tuple]] = {}
    route, group = next(groups, (None, None))
    while route is not None and route < login_query.MINE:
        if route in facts:
            raise _OutOfOrder
        facts[route] = list(group)
        route, group = next(groups, (None, None))
    me = _acting(number, name, facts)
    # option key -> option, and option key -> sort key; the first route to an option wins (its
    # reason shows). No pair per option: fewer objects for the garbage collector to look at.
    options: dict[str, LoginOption] = {}
    order: dict[str, tuple] = {}
    if scope.own_name:
        _put(
            options,
            order,
            LoginOption(
                OWN_NAME,
                me,
                me,
                None,
                None,
                None,
                None,
                None,
                Reason("You log in in your own name.", "Je meldt aan in eigen naam."),
                "own",
            ),
        )
    employers = {row[2]: Party(row[2], row[3], row[4]) for row in facts.get(login_query.EMPLOYER, ())}
    if scope.work_relationship:
        _add_work_options(me, scope, employers, facts.get(login_query.RIGHT, ()), options, order)
    representations: dict[str, tuple[Party, str]] = {}
    for _, _, enterprise, kind, party_name, function, *_ in sorted(facts.get(login_query.REPRESENTATION, ())):
        representations.setdefault(enterprise, (Party(enterprise, kind, party_name), function))
    for enterprise, (party, function) in representations.items():
        key = f"rep:{enterprise}"
        _put(
            options,
            order,
            LoginOption(
                LEGAL_REPRESENTATIVE,
                me,
                party,
                None,
                None,
                None,
                None,
                None,
                Reason(
                    f"You are legal representative ({function}) of {party.name} in the KBO.",
                    f"Je bent wettelijk vertegenwoordiger ({function}) van {party.name} in de KBO.",
                ),
                key,
            ),
        )
    # the firm of each right the person holds where the person works (an executor route's taker)
    firms = {right: employers[org] for _, right, org, *_ in facts.get(login_query.RIGHT, ()) if org in employers}
    last = login_query.MINE - 1
    while route is not None:
        if route <= last:  # a route twice, or a fact after the mandates
            raise _OutOfOrder
        last = route
        _add_mandate_options(me, codes, route, group, firms, representations, options, order)
        route, group = next(groups, (None, None))
    # The sort keys were made with the options (a C-level lookup sorts), not per comparison.
    return [options[key] for key in sorted(order, key=order.__getitem__)]


def sort_key(option: LoginOption) -> tuple:
    """Represented name (case-blind), number, kind, intermediary name, mandate id."""
    return (
        option.represented.name.casefold(),
        option.represented.number,
        KIND_ORDER[option.kind],
        option.intermediary.name.casefold() if option.intermediary else "",
        option.mandate_id or 0,
    )


def _put(options: dict[str, LoginOption], order: dict[str, tuple], option: LoginOption) -> None:
    if option.key not in options:
        options[option.key], order[option.key] = option, sort_key(option)


def acting_party(db: Database, person: str, name: str = "") -> Party:
    """The person as a Party. A name given wins over the store's: the authenticator vouched for it
    just now, and a person the store does not know (who still logs in in own name) has no other."""
    number = identifiers.person_number(person, "person")
    if name:
        return Party(number, PERSON, name)
    row = db.execute("SELECT number, kind, name FROM parties WHERE number = ?", [number]).fetchone()
    return Party(*row) if row else Party(number, PERSON, "")


def _acting(number: str, name: str, facts: dict[int, list[tuple]]) -> Party:
    """acting_party's answer from the statement's PARTY row (asked only when no name was given)."""
    if name:
        return Party(number, PERSON, name)
    found = facts.get(login_query.PARTY)
    return Party(*found[0][2:5]) if found else Party(number, PERSON, "")


def _add_work_options(
    me: Party,
    scope: Scope,
    employers: dict[str, Party],
    rights: list[tuple],
    options: dict[str, LoginOption],
    order: dict[str, tuple],
) -> None:
    with_right = None
    if scope.member_right:
        asked = scope.member_rights
        with_right = {}
        for _, _, org, name, *_ in sorted(rights):  # by right id: the oldest right names itself
            if name in asked:
                with_right.setdefault(org, name)
    for number, org in employers.items():
        if with_right is not None and number not in with_right:
            continue
        held = with_right[number] if with_right is not None else None
        right, recht = (f" and hold the right '{held}'", f" en het recht '{held}'")
        reason = Reason(
            f"You have a valid work relationship with {org.name}{right if held else ''}.",
            f"Je hebt een geldige werkrelatie met {org.name}{recht if held else ''}.",
        )
        _put(
            options,
            order,
            LoginOption(WORK_RELATIONSHIP, me, org, None, None, None, None, None, reason, f"work:{number}"),
        )


def _mine_reason(code: str) -> Reason:
    return Reason(
        f"An active {code} mandate names you as taker.", f"Een actief mandaat {code} noemt jou als mandaatnemer."
    )


def _executor_reason(taker: Party, code: str) -> Reason:
    return Reason(
        f"An active {code} mandate names {taker.name} as taker, and you hold {MANDAATUITVOERDER} for {code} there.",
        f"Een actief mandaat {code} noemt {taker.name} als mandaatnemer, en je hebt daar "
        f"{MANDAATUITVOERDER} voor {code}.",
    )


def _representative_reason(taker: Party, function: str, code: str) -> Reason:
    return Reason(
        f"An active {code} mandate names {taker.name} as taker, and you are its legal representative ({function}).",
        f"Een actief mandaat {code} noemt {taker.name} als mandaatnemer, en je bent er "
        f"wettelijk vertegenwoordiger van ({function}).",
    )


def _add_mandate_options(
    me: Party,
    codes: list[str],
    route: int,
    rows: Iterable[tuple],
    firms: dict[int, Party],
    representations: dict[str, tuple[Party, str]],
    options: dict[str, LoginOption],
    order: dict[str, tuple],
) -> None:
    """One mandate route's options. The person as taker (no right needed); a firm as taker,
    where the person holds SSM Mandaatuitvoerder inside a valid work relationship (the
    statement applied the right's types and givers); or an enterprise the person legally
    represents, when the application allows it (the statement asked only then)."""
    if route == login_query.MINE:
        _mandates_taken(me, me, rows, codes, _mine_reason, options, order)
    elif route < login_query.VIA_REP:
        taker = firms.get(route - login_query.EXECUTED)
        if taker is None:  # in route order, the RIGHT rows came first and named the firm
            raise _OutOfOrder
        _mandates_taken(me, taker, rows, codes, lambda code: _executor_reason(taker, code), options, order)
    else:
        by_taker: dict[str, list[tuple]] = {}
        for row in rows:
            by_taker.setdefault(row[8], []).append(row)
        for number, (party, function) in representations.items():
            if number in by_taker:
                _mandates_taken(
                    me,
                    party,
                    by_taker[number],
                    codes,
                    lambda code, party=party, function=function: _representative_reason(party, function, code),
                    options,
                    order,
                )


class _Givers(dict):
    """(number, name) -> the giver as a Party, shared by all calls and threads: a firm's givers
    come back at every login of its executors. Reusing the Party objects saves building them
    and, above all, keeps them out of the garbage collector's young generations (a tuple
    subclass is never untracked, and thousands of new ones per call made its full collections,
    each many milliseconds, frequent). The name is part of the key, so a renamed party simply
    gets a new entry; the kind follows from the number. Bounded: emptied when full."""

    LIMIT = 50_000

    def __missing__(self, key: tuple[str, str]) -> Party:
        if len(self) >= self.LIMIT:
            self.clear()
        number, name = key
        value = self[key] = Party(number, ORGANISATION if len(number) == 10 else PERSON, name)
        return value


_GIVERS = _Givers()


class _Dates(dict):
    """ISO text -> date, each distinct text parsed once (a firm's mandates share few dates);
    a hit is a plain dict lookup, with no Python call."""

    def __missing__(self, text: str | None) -> date | None:
        value = self[text] = to_date(text)
        return value


def _mandates_taken(
    me: Party,
    taker: Party,
    rows: Iterable[tuple],
    codes: list[str],
    reason_for,
    options: dict[str, LoginOption],
    order: dict[str, tuple],
) -> None:
    """Adds the options of the mandates `taker` holds, from their rows (the first route to a
    mandate wins), with the reason `reason_for(code)` for each code in scope.

    A firm may have thousands of givers, so the per-row work is one comprehension over the rows:
    one reason per type (shared), dates parsed once per distinct text, the option and its giver
    built as tuples, and then one more for the sort keys."""
    reasons, dates = {code: reason_for(code) for code in codes}, _Dates()
    new, option, known = tuple.__new__, LoginOption, _GIVERS
    found = {
        key: new(
            option,
            (
                MANDATE,
                me,
                known[g_number, g_name],
                taker,
                mandate_id,
                type_code,
                dates[start],
                dates[end],
                reasons[type_code],
                key,
            ),
        )
        for _, mandate_id, type_code, start, end, g_number, g_name, key, _ in rows
    }
    if not found:
        return
    found.update(options)  # an option found by an earlier route keeps that route's reason
    options.update(found)
    kind, taker_key = KIND_ORDER[MANDATE], taker.name.casefold()
    order.update(
        {
            key: (o.represented.name.casefold(), o.represented.number, kind, taker_key, o.mandate_id)
            for key, o in found.items()
            if key not in order
        }
    )
