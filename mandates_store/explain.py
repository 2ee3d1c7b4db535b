"""The reverse of login options: for each of the person's links that gives no option for a scope,
the first condition that failed, in the order of the manual's checklist.

Only parties the person is linked with are ever named: their own mandates, organisations they
work for or represent, and mandates of those organisations that the person's SSM
Mandaatuitvoerder right (its types and givers) or representation actually covers.
"""

from datetime import date, datetime

import sqlite_utils

from mandates_store.database import day_of, iso_date, to_date
from mandates_store.login import acting_party, login_options
from mandates_store.mandates import select_mandates
from mandates_store.model import (
    LEGAL_REPRESENTATIVE,
    MANDAATUITVOERDER,
    MANDATE,
    OWN_NAME,
    WORK_RELATIONSHIP,
    Mandate,
    MissingOption,
    Party,
    Scope,
)
from mandates_store.status import ACTIVE, STATUS_NL
from mandates_store.validity import holds_on, last_valid_day


def explain_missing(db: sqlite_utils.Database, person: str, at: date | datetime, scope: Scope) -> list[MissingOption]:
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
    found += _mandates(db, me, day, scope, given)
    return found


def _party(db, number: str) -> Party:
    return Party(*db.conn.execute("SELECT number, kind, name FROM parties WHERE number = ?", [number]).fetchone())


def _period(valid_from: date, valid_until: date | None, day: date) -> tuple[str, str]:
    if valid_from > day:
        return f"starts on {valid_from}", f"begint pas op {valid_from:%d/%m/%Y}"
    # the stored end is exclusive; a person reads the last valid day
    last = last_valid_day(valid_until)
    return f"ended: valid up to and including {last}", f"is beëindigd: geldig tot en met {last:%d/%m/%Y}"


def _work_relationships(db, me: Party, day: date, scope: Scope, given: set[str]) -> list:
    rows = db.conn.execute(
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
    rows = db.conn.execute(
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
    rows = db.conn.execute(
        "SELECT id, organisation, valid_from, valid_until FROM user_rights WHERE person = ? AND name = ? ORDER BY id",
        [me.number, MANDAATUITVOERDER],
    ).fetchall()
    employed = {
        org
        for org, f, u in db.conn.execute(
            "SELECT organisation, valid_from, valid_until FROM work_relationships WHERE person = ?", [me.number]
        )
        if holds_on(to_date(f), to_date(u), day)
    }
    found = []
    for right_id, org, valid_from, valid_until in rows:
        types, givers = _coverage(db, right_id)
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


def _coverage(db, right_id: int) -> tuple[set[str], set[str] | None]:
    types = {
        r[0] for r in db.conn.execute("SELECT type_code FROM user_right_mandate_types WHERE right_id = ?", [right_id])
    }
    givers = {r[0] for r in db.conn.execute("SELECT giver FROM user_right_givers WHERE right_id = ?", [right_id])}
    return types, givers or None


def _right_gives_option(db, org: str, types: list[str], givers: set[str] | None, used: set[str]) -> bool:
    marks = ",".join("?" * len(types))
    for mandate_id, giver in db.conn.execute(
        f"SELECT id, giver FROM mandates WHERE taker = ? AND type_code IN ({marks})", [org, *types]
    ):
        if f"mandate:{mandate_id}" in used and (givers is None or giver in givers):
            return True
    return False


def _mandates(db, me: Party, day: date, scope: Scope, given: set[str]) -> list:
    """The person's own mandates and those of organisations their links cover, without option."""
    candidates: dict[int, tuple[Mandate, str]] = {}
    for mandate in select_mandates(db, "m.taker = ?", [me.number], day):
        candidates[mandate.id] = (mandate, "taker")
    for right_id, org in db.conn.execute(
        "SELECT id, organisation FROM user_rights WHERE person = ? AND name = ?", [me.number, MANDAATUITVOERDER]
    ).fetchall():
        types, givers = _coverage(db, right_id)
        for mandate in _taken_by(db, org, types, day):
            if givers is None or mandate.giver.number in givers:
                candidates.setdefault(mandate.id, (mandate, "executor"))
    enterprises = {
        r[0] for r in db.conn.execute("SELECT enterprise FROM legal_representatives WHERE person = ?", [me.number])
    }
    for enterprise in sorted(enterprises):
        for mandate in _taken_by(db, enterprise, set(scope.mandate_types), day):
            candidates.setdefault(mandate.id, (mandate, "representative"))
    found = []
    for mandate_id in sorted(candidates):
        mandate, path = candidates[mandate_id]
        if f"mandate:{mandate_id}" in given:
            continue
        found.append(_why_mandate(db, me, mandate, path, day, scope))
    return found


def _taken_by(db, org: str, types: set[str], day: date) -> list[Mandate]:
    if not types:
        return []
    marks = ",".join("?" * len(types))
    return select_mandates(db, f"m.taker = ? AND m.type_code IN ({marks})", [org, *sorted(types)], day)


def _why_mandate(db, me: Party, mandate: Mandate, path: str, day: date, scope: Scope) -> MissingOption:
    what = f"Mandate {mandate.id} ({mandate.type_code}) from {mandate.giver.name} to {mandate.taker.name}"
    wat = f"Mandaat {mandate.id} ({mandate.type_code}) van {mandate.giver.name} aan {mandate.taker.name}"

    def missing(condition: str, en: str, nl: str) -> MissingOption:
        return MissingOption(
            MANDATE,
            condition,
            f"{what} {en}",
            f"{wat} {nl}",
            organisation=mandate.taker if path != "taker" else None,
            represented=mandate.giver,
            mandate_id=mandate.id,
            mandate_type=mandate.type_code,
        )

    if not scope.mandate:
        return missing(
            "mandates_not_allowed",
            "cannot be used: this application does not accept mandates.",
            "kan niet gebruikt worden: deze toepassing aanvaardt geen mandaten.",
        )
    if mandate.status != ACTIVE:
        return missing(
            "mandate_not_active",
            f"is not active ({mandate.status.replace('_', ' ')}).",
            f"is niet actief ({STATUS_NL[mandate.status]}).",
        )
    if mandate.type_code not in scope.mandate_types:
        return missing(
            "type_not_in_scope",
            "has a type this application does not use.",
            "heeft een type dat deze toepassing niet gebruikt.",
        )
    if path == "representative":
        if not scope.legal_representative:
            return missing(
                "legal_representative_not_allowed",
                "would need you as legal representative of the taker, which this application does not accept.",
                "vereist je als wettelijk vertegenwoordiger van de mandaatnemer, wat deze toepassing niet toelaat.",
            )
        return missing(
            "representation_not_valid",
            "would need your function at the taker, which is not valid today.",
            "vereist je functie bij de mandaatnemer, die vandaag niet geldig is.",
        )
    # executor path: which of right / work relationship fails today?
    day_text = iso_date(day)
    right_ok = db.conn.execute(
        "SELECT 1 FROM user_rights r JOIN user_right_mandate_types t ON t.right_id = r.id "
        "WHERE r.person = ? AND r.organisation = ? AND r.name = ? AND t.type_code = ? "
        "AND r.valid_from <= ? AND (r.valid_until IS NULL OR r.valid_until > ?)",
        [me.number, mandate.taker.number, MANDAATUITVOERDER, mandate.type_code, day_text, day_text],
    ).fetchone()
    if not right_ok:
        return missing(
            "right_not_valid",
            f"needs your {MANDAATUITVOERDER} right for this type at the taker, which is not valid today.",
            f"vereist je recht {MANDAATUITVOERDER} voor dit type bij de mandaatnemer, dat vandaag niet geldig is.",
        )
    return missing(
        "work_relationship_not_valid",
        "needs a valid work relationship with the taker, which you do not have today.",
        "vereist een geldige werkrelatie met de mandaatnemer, die je vandaag niet hebt.",
    )
