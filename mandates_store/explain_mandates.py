"""explain_missing's part for mandates: every mandate of the person that gives no option for a
scope, with the first condition that failed. A mandate "of the person" is one they take, one they
gave, one their SSM Mandaatuitvoerder right covers (its types and givers: no other mandate of the
firm is named), and any mandate of an enterprise they legally represent, whatever its type.
"""

from datetime import date

from mandates_store.database import iso_date
from mandates_store.mandates import select_mandates
from mandates_store.model import MANDAATUITVOERDER, MANDATE, Mandate, MissingOption, Party, Scope
from mandates_store.status import ACTIVE, STATUS_NL


def coverage(db, right_id: int) -> tuple[set[str], set[str] | None]:
    types = {r[0] for r in db.execute("SELECT type_code FROM user_right_mandate_types WHERE right_id = ?", [right_id])}
    givers = {r[0] for r in db.execute("SELECT giver FROM user_right_givers WHERE right_id = ?", [right_id])}
    return types, givers or None


def mandates_without_option(db, me: Party, day: date, scope: Scope, given: set[str]) -> list:
    """The person's mandates (see above) that give no option, in id order."""
    candidates: dict[int, tuple[Mandate, str]] = {}
    for mandate in select_mandates(db, "m.taker = ?", [me.number], day):
        candidates[mandate.id] = (mandate, "taker")
    for right_id, org in db.execute(
        "SELECT id, organisation FROM user_rights WHERE person = ? AND name = ?", [me.number, MANDAATUITVOERDER]
    ).fetchall():
        types, givers = coverage(db, right_id)
        for mandate in _taken_by(db, org, types, day):
            if givers is None or mandate.giver.number in givers:
                candidates.setdefault(mandate.id, (mandate, "executor"))
    enterprises = {
        r[0] for r in db.execute("SELECT enterprise FROM legal_representatives WHERE person = ?", [me.number])
    }
    for enterprise in sorted(enterprises):  # every type: the function covers all the enterprise does
        for mandate in select_mandates(db, "m.taker = ?", [enterprise], day):
            candidates.setdefault(mandate.id, (mandate, "representative"))
    for mandate in select_mandates(db, "m.giver = ?", [me.number], day):
        candidates.setdefault(mandate.id, (mandate, "giver"))
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
            organisation=mandate.taker if path in ("executor", "representative") else None,
            represented=mandate.giver,
            mandate_id=mandate.id,
            mandate_type=mandate.type_code,
        )

    if path == "giver":
        return missing(
            "person_is_giver",
            f"lets {mandate.taker.name} act on your behalf; you gave it, so it gives you no login.",
            f"laat {mandate.taker.name} namens jou handelen; jij gaf het, dus het geeft jou geen aanmelding.",
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
    right_ok = db.execute(
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
