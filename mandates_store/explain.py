"""The reverse of login options: for each of the person's links that gives no option for a scope,
the first condition that failed, in the order of the manual's checklist.

Only parties the person is linked with are ever named: their own mandates, organisations they
work for or represent, and mandates of those organisations that the person's SSM
Mandaatuitvoerder right (its types and givers) or representation actually covers.
"""

from datetime import date, datetime

from mandates_store.database import day_of, to_date
from mandates_store.engines import Database
from mandates_store.explain_mandates import coverage, mandates_without_option
from mandates_store.login import acting_party, login_options
from mandates_store.model import (
    LEGAL_REPRESENTATIVE,
    MANDAATBEHEERDER,
    MANDAATUITVOERDER,
    OWN_NAME,
    WORK_RELATIONSHIP,
    MissingOption,
    Party,
    Scope,
)
from mandates_store.validity import holds_on, last_valid_day


def explain_missing(db: Database, person: str, at: date | datetime, scope: Scope) -> list[MissingOption]:
    me = acting_party(db, person)
    day = day_of(at)
    given = {o.key for o in login_options(db, me.number, at, scope)}
    found: list[MissingOption] = []
    if not scope.own_name:
        found.append(
            MissingOption(
                OWN_NAME,
                "own_name_not_allowed",
                "This application does not accept logging in in your own name.",
                "Deze toepassing laat niet toe om in eigen naam aan te melden.",
            )
        )
    found += _work_relationships(db, me, day, scope, given)
    found += _representations(db, me, day, scope, given)
    found += _executor_rights(db, me, day, scope, given)
    found += _other_rights(db, me, day, scope, given)
    found += mandates_without_option(db, me, day, scope, given)
    return found


def _party(db, number: str) -> Party:
    return Party(*db.execute("SELECT number, kind, name FROM parties WHERE number = ?", [number]).fetchone())


def _period(valid_from: date, valid_until: date | None, day: date) -> tuple[str, str]:
    if valid_from > day:
        return f"starts on {valid_from}", f"begint pas op {valid_from:%d/%m/%Y}"
    # the stored end is exclusive; a person reads the last valid day
    last = last_valid_day(valid_until)
    return f"ended: valid up to and including {last}", f"is beëindigd: geldig tot en met {last:%d/%m/%Y}"


def _work_relationships(db, me: Party, day: date, scope: Scope, given: set[str]) -> list:
    rows = db.execute(
        "SELECT organisation, valid_from, valid_until FROM work_relationships WHERE person = ? ORDER BY id", [me.number]
    ).fetchall()
    valid_orgs = {org for org, f, u in rows if holds_on(to_date(f), to_date(u), day)}
    found, seen = [], set()
    for org, valid_from, valid_until in rows:
        if f"work:{org}" in given or org in seen:
            continue
        seen.add(org)
        party = _party(db, org)
        if not scope.work_relationship:
            found.append(
                MissingOption(
                    WORK_RELATIONSHIP,
                    "work_relationship_not_allowed",
                    f"This application does not accept logging in as a member of {party.name}.",
                    f"Deze toepassing laat niet toe om aan te melden als medewerker van {party.name}.",
                    organisation=party,
                    represented=party,
                )
            )
        elif org not in valid_orgs:
            en, nl = _period(to_date(valid_from), to_date(valid_until), day)
            found.append(
                MissingOption(
                    WORK_RELATIONSHIP,
                    "work_relationship_not_valid",
                    f"Your work relationship with {party.name} {en}.",
                    f"Je werkrelatie met {party.name} {nl}.",
                    organisation=party,
                    represented=party,
                )
            )
        else:
            found.append(
                MissingOption(
                    WORK_RELATIONSHIP,
                    "member_right_missing",
                    f"You do not hold the right '{scope.member_right}' at {party.name}.",
                    f"Je hebt het recht '{scope.member_right}' niet bij {party.name}.",
                    organisation=party,
                    represented=party,
                )
            )
    return found


def _representations(db, me: Party, day: date, scope: Scope, given: set[str]) -> list:
    rows = db.execute(
        "SELECT enterprise, function, since, until FROM legal_representatives WHERE person = ? ORDER BY id", [me.number]
    ).fetchall()
    valid = {e for e, _, s, u in rows if holds_on(to_date(s), to_date(u), day)}
    found, seen = [], set()
    for enterprise, function, since, until in rows:
        if f"rep:{enterprise}" in given or enterprise in seen:
            continue
        seen.add(enterprise)
        party = _party(db, enterprise)
        if not scope.legal_representative:
            found.append(
                MissingOption(
                    LEGAL_REPRESENTATIVE,
                    "legal_representative_not_allowed",
                    f"This application does not accept legal representatives; you are {function} of {party.name}.",
                    f"Deze toepassing laat wettelijke vertegenwoordigers niet toe; je bent {function} "
                    f"van {party.name}.",
                    organisation=party,
                    represented=party,
                )
            )
        elif enterprise not in valid:
            en, nl = _period(to_date(since), to_date(until), day)
            found.append(
                MissingOption(
                    LEGAL_REPRESENTATIVE,
                    "representation_not_valid",
                    f"Your function {function} at {party.name} {en}.",
                    f"Je functie {function} bij {party.name} {nl}.",
                    organisation=party,
                    represented=party,
                )
            )
    return found


def _executor_rights(db, me: Party, day: date, scope: Scope, given: set[str]) -> list:
    """Each SSM Mandaatuitvoerder right that opens no mandate at all for this scope."""
    used_takers = {key for key in given if key.startswith("mandate:")}
    rows = db.execute(
        "SELECT id, organisation, valid_from, valid_until FROM user_rights WHERE person = ? AND name = ? ORDER BY id",
        [me.number, MANDAATUITVOERDER],
    ).fetchall()
    employed = {
        org
        for org, f, u in db.execute(
            "SELECT organisation, valid_from, valid_until FROM work_relationships WHERE person = ?", [me.number]
        )
        if holds_on(to_date(f), to_date(u), day)
    }
    found = []
    for right_id, org, valid_from, valid_until in rows:
        types, givers = coverage(db, right_id)
        usable = sorted(types & scope.mandate_types)
        if usable and _right_gives_option(db, org, usable, givers, used_takers):
            continue
        party = _party(db, org)
        kw = {"organisation": party}
        if not scope.mandate or not scope.mandate_types:
            found.append(
                MissingOption(
                    "right",
                    "mandates_not_allowed",
                    "This application does not accept logging in through a mandate.",
                    "Deze toepassing laat niet toe om aan te melden via een mandaat.",
                    **kw,
                )
            )
        elif not holds_on(to_date(valid_from), to_date(valid_until), day):
            en, nl = _period(to_date(valid_from), to_date(valid_until), day)
            found.append(
                MissingOption(
                    "right",
                    "right_not_valid",
                    f"Your {MANDAATUITVOERDER} right at {party.name} {en}.",
                    f"Je recht {MANDAATUITVOERDER} bij {party.name} {nl}.",
                    **kw,
                )
            )
        elif org not in employed:
            found.append(
                MissingOption(
                    "right",
                    "work_relationship_not_valid",
                    f"You have no valid work relationship with {party.name}, so your "
                    f"{MANDAATUITVOERDER} right there does not count.",
                    f"Je hebt geen geldige werkrelatie met {party.name}; je recht "
                    f"{MANDAATUITVOERDER} daar telt dus niet.",
                    **kw,
                )
            )
        elif not usable:
            found.append(
                MissingOption(
                    "right",
                    "right_type_not_in_scope",
                    f"Your {MANDAATUITVOERDER} right at {party.name} covers "
                    f"{', '.join(sorted(types))}, none of which this application uses "
                    f"({', '.join(sorted(scope.mandate_types))}).",
                    f"Je recht {MANDAATUITVOERDER} bij {party.name} geldt voor "
                    f"{', '.join(sorted(types))}; deze toepassing gebruikt "
                    f"{', '.join(sorted(scope.mandate_types))}.",
                    **kw,
                )
            )
        else:
            found.append(
                MissingOption(
                    "right",
                    "no_active_mandate",
                    f"{party.name} holds no active mandate of type {', '.join(usable)}"
                    f"{' from the givers your right lists' if givers else ''}.",
                    f"{party.name} heeft geen actief mandaat van het type {', '.join(usable)}"
                    f"{' van de mandaatgevers in je recht' if givers else ''}.",
                    **kw,
                )
            )
    return found


def _right_gives_option(db, org: str, types: list[str], givers: set[str] | None, used: set[str]) -> bool:
    marks = ",".join("?" * len(types))
    for mandate_id, giver in db.execute(
        f"SELECT id, giver FROM mandates WHERE taker = ? AND type_code IN ({marks})", [org, *types]
    ):
        if f"mandate:{mandate_id}" in used and (givers is None or giver in givers):
            return True
    return False


def _other_rights(db, me: Party, day: date, scope: Scope, given: set[str]) -> list:
    """Every right other than SSM Mandaatuitvoerder (that one is _executor_rights'), unless it is
    the application's member right behind a work option."""
    rows = db.execute(
        "SELECT organisation, name, valid_from, valid_until FROM user_rights WHERE person = ? AND name <> ? "
        "ORDER BY id",
        [me.number, MANDAATUITVOERDER],
    ).fetchall()
    found = []
    for org, name, valid_from, valid_until in rows:
        asked = scope.work_relationship and name == scope.member_right
        if asked and f"work:{org}" in given:
            continue
        party = _party(db, org)
        if name == MANDAATBEHEERDER:
            condition = "right_gives_no_login"
            en = f"Your right {name} at {party.name} lets you manage its mandates; it gives no login."
            nl = f"Je recht {name} bij {party.name} laat je de mandaten beheren; het geeft geen aanmelding."
        elif not asked:
            condition = "right_not_asked"
            en = f"Your right '{name}' at {party.name} is not a right this application asks for."
            nl = f"Je recht '{name}' bij {party.name} is geen recht dat deze toepassing vraagt."
        elif not holds_on(to_date(valid_from), to_date(valid_until), day):
            condition = "member_right_not_valid"
            en, nl = _period(to_date(valid_from), to_date(valid_until), day)
            en, nl = f"Your right '{name}' at {party.name} {en}.", f"Je recht '{name}' bij {party.name} {nl}."
        else:
            condition = "member_right_without_work"
            en = f"Your right '{name}' at {party.name} counts only with a valid work relationship there."
            nl = f"Je recht '{name}' bij {party.name} telt enkel met een geldige werkrelatie daar."
        found.append(MissingOption("right", condition, en, nl, organisation=party))
    return found
