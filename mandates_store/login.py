"""Login options: on whose behalf may this person log in to an application with this scope?

Read-only and on the broker's login path, so it uses plain cursors on indexed columns (no
savepoints) and builds every option from a handful of queries.
"""

from datetime import date, datetime

from mandates_store import identifiers
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
    me = acting_party(db, person, name)
    day = iso_date(day_of(at))
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
    employers = employers_on(db, me.number, day)
    if scope.work_relationship:
        _add_work_options(db, me, day, scope, employers, options, order)
    representations = represented_on(db, me.number, day) if scope.legal_representative else {}
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
    if scope.mandate and scope.mandate_types:
        _add_mandate_options(db, me, day, scope, employers, representations, options, order)
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


def employers_on(db: Database, person: str, day: str) -> dict[str, Party]:
    rows = db.execute(
        "SELECT DISTINCT p.number, p.kind, p.name FROM work_relationships w "
        "JOIN parties p ON p.number = w.organisation WHERE w.person = ? AND w.valid_from <= ? "
        "AND (w.valid_until IS NULL OR w.valid_until > ?)",
        [person, day, day],
    )
    return {row[0]: Party(*row) for row in rows}


def represented_on(db: Database, person: str, day: str) -> dict[str, tuple[Party, str]]:
    rows = db.execute(
        "SELECT p.number, p.kind, p.name, r.function FROM legal_representatives r "
        "JOIN parties p ON p.number = r.enterprise WHERE r.person = ? AND r.since <= ? "
        "AND (r.until IS NULL OR r.until > ?) ORDER BY r.id",
        [person, day, day],
    )
    found: dict[str, tuple[Party, str]] = {}
    for number, kind, name, function in rows:
        found.setdefault(number, (Party(number, kind, name), function))
    return found


def rights_on(db: Database, person: str, day: str) -> list[tuple[int, str, str]]:
    """(right id, organisation, right name) of the rights whose own period holds on the day."""
    return db.execute(
        "SELECT id, organisation, name FROM user_rights WHERE person = ? AND valid_from <= ? "
        "AND (valid_until IS NULL OR valid_until > ?)",
        [person, day, day],
    ).fetchall()


def executor_coverage(db: Database, right_id: int) -> tuple[set[str], set[str] | None]:
    types = {r[0] for r in db.execute("SELECT type_code FROM user_right_mandate_types WHERE right_id = ?", [right_id])}
    givers = {r[0] for r in db.execute("SELECT giver FROM user_right_givers WHERE right_id = ?", [right_id])}
    return types, (givers or None)


def _add_work_options(
    db,
    me: Party,
    day: str,
    scope: Scope,
    employers: dict[str, Party],
    options: dict[str, LoginOption],
    order: dict[str, tuple],
) -> None:
    with_right = None
    if scope.member_right:
        asked = scope.member_rights
        with_right = {}
        for _, org, name in sorted(rights_on(db, me.number, day)):
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


def _add_mandate_options(
    db,
    me: Party,
    day: str,
    scope: Scope,
    employers: dict[str, Party],
    representations: dict[str, tuple[Party, str]],
    options: dict[str, LoginOption],
    order: dict[str, tuple],
) -> None:
    in_scope = set(scope.mandate_types)
    # The person as taker: no right needed.
    _mandates_taken(
        db,
        me,
        me,
        in_scope,
        None,
        day,
        lambda code: Reason(
            f"An active {code} mandate names you as taker.", f"Een actief mandaat {code} noemt jou als mandaatnemer."
        ),
        options,
        order,
    )
    # Organisations as taker: SSM Mandaatuitvoerder inside a valid work relationship.
    for right_id, org, name in rights_on(db, me.number, day):
        if name != MANDAATUITVOERDER or org not in employers:
            continue
        types, givers = executor_coverage(db, right_id)
        usable = types & in_scope
        if not usable:
            continue
        taker = employers[org]
        _mandates_taken(
            db,
            me,
            taker,
            usable,
            givers,
            day,
            lambda code, taker=taker: Reason(
                f"An active {code} mandate names {taker.name} as taker, and you hold "
                f"{MANDAATUITVOERDER} for {code} there.",
                f"Een actief mandaat {code} noemt {taker.name} als mandaatnemer, en je hebt daar "
                f"{MANDAATUITVOERDER} voor {code}.",
            ),
            options,
            order,
        )
    # ... or legal representative of the taker enterprise, when the application allows it.
    for party, function in representations.values():
        _mandates_taken(
            db,
            me,
            party,
            in_scope,
            None,
            day,
            lambda code, party=party, function=function: Reason(
                f"An active {code} mandate names {party.name} as taker, and you are "
                f"its legal representative ({function}).",
                f"Een actief mandaat {code} noemt {party.name} als mandaatnemer, en je bent er "
                f"wettelijk vertegenwoordiger van ({function}).",
            ),
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
    db,
    me: Party,
    taker: Party,
    types: set[str],
    givers: set[str] | None,
    day: str,
    reason_for,
    options: dict[str, LoginOption],
    order: dict[str, tuple],
) -> None:
    """Adds the options of the mandates `taker` holds (the first route to a mandate wins).

    One query on two covering indexes: mandates (taker, type, state, dates, giver) and the
    givers' parties (number, kind, name). A firm may have
    thousands of givers, so the per-row work is one comprehension over the cursor (no list of
    rows): one reason per type (shared), dates parsed once per distinct text, the option and its
    giver built as tuples, and then one more for the sort keys."""
    codes = sorted(types)
    # Every column costs a Python object per row (at 10 million mandates, converting the rows
    # costs more than finding them), so the query returns only what differs per row: one type
    # (the usual case) is not fetched, and the option key is made here, not concatenated in SQL.
    # A giver's kind follows from its number (10 digits: organisation, 11: person; the schema
    # holds that), so it is not fetched either.
    one = len(codes) == 1
    rows = db.execute(
        f"SELECT m.id, {'' if one else 'm.type_code, '}m.start_date, m.end_date, g.number, g.name "
        f"FROM mandates m JOIN parties g {db.indexed_by('parties_number_kind_name')} ON g.number = m.giver "
        f"WHERE m.taker = ? AND m.type_code IN ({','.join('?' * len(codes))}) AND {_ACTIVE_ON}",
        [taker.number, *codes, day, day],
    )
    dates = _Dates()
    new, option, known = tuple.__new__, LoginOption, _GIVERS
    if one:
        code = codes[0]
        reason = reason_for(code)
        found = {
            (key := f"mandate:{mandate_id}"): new(
                option,
                (MANDATE, me, known[g_number, g_name], taker, mandate_id, code, dates[start], dates[end], reason, key),
            )
            for mandate_id, start, end, g_number, g_name in rows
            if givers is None or g_number in givers
        }
    else:
        reasons = {code: reason_for(code) for code in types}
        found = {
            (key := f"mandate:{mandate_id}"): new(
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
            for mandate_id, type_code, start, end, g_number, g_name in rows
            if givers is None or g_number in givers
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
