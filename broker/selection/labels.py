"""The words the chooser and the no-access page put next to an option or a missing condition."""

from functools import partial

from broker.web.i18n import CATALOGUES, current_language, gettext
from broker.web.i18n import gettext as _
from mandates_store import LEGAL_REPRESENTATIVE, MANDATE, OWN_NAME, LoginOption

# The store explains in Dutch and English, with dates; other languages get one sentence per
# failed condition (English message ids, translated in the catalogues). Only parties the store
# put in the MissingOption are named, and those are parties the person is linked with.
CONDITION_TEXT = {
    "own_name_not_allowed": "This application does not accept logging in in your own name.",
    "work_relationship_not_allowed": "This application does not accept logging in as a member of %(organisation)s.",
    "work_relationship_not_valid": "Your work relationship with %(organisation)s is not valid today.",
    "member_right_missing": "You do not hold the user right this application asks for at %(organisation)s.",
    "legal_representative_not_allowed": "This application does not accept legal representatives of %(organisation)s.",
    "representation_not_valid": "Your function at %(organisation)s is not valid today.",
    "mandates_not_allowed": "This application does not accept logging in through a mandate.",
    "right_not_valid": "Your right SSM Mandaatuitvoerder at %(organisation)s is not valid today.",
    "right_type_not_in_scope": "Your right SSM Mandaatuitvoerder at %(organisation)s covers no mandate type this application uses.",
    "no_active_mandate": "%(organisation)s holds no active mandate of a type this application uses.",
    "mandate_not_active": "Mandate %(mandate)s from %(giver)s is not active.",
    "type_not_in_scope": "Mandate %(mandate)s from %(giver)s is of a type this application does not use.",
    "person_is_giver": "Mandate %(mandate)s is one you gave: it lets its taker act on your behalf, it gives you no login.",
    "right_gives_no_login": "Your right SSM Mandaatbeheerder at %(organisation)s lets you manage mandates; it gives no login.",
    "right_not_asked": "Your right at %(organisation)s is not a right this application asks for.",
    "member_right_not_valid": "The user right this application asks for at %(organisation)s is not valid today.",
    "member_right_without_work": "The user right this application asks for at %(organisation)s counts only with a valid work relationship there.",
}
MANDATE_CONDITION_TEXT = {
    "mandates_not_allowed": "Mandate %(mandate)s from %(giver)s cannot be used: this application does not accept mandates.",
    "legal_representative_not_allowed": "Mandate %(mandate)s from %(giver)s would need you as legal representative of the taker, which this application does not accept.",
    "representation_not_valid": "Mandate %(mandate)s from %(giver)s needs your function at the taker, which is not valid today.",
    "right_not_valid": "Mandate %(mandate)s from %(giver)s needs your right SSM Mandaatuitvoerder at the taker, which is not valid today.",
    "work_relationship_not_valid": "Mandate %(mandate)s from %(giver)s needs a valid work relationship with the taker, which you do not have today.",
}
FALLBACK_TEXT = "One of your links does not give access to this application."


def option_label(option: LoginOption, language: str | None = None) -> str:
    """The chooser's line under a party; `language` for use outside a request (the CLI)."""
    _ = gettext if language is None else partial(translated, language)  # `_`: the extractor finds the ids
    if option.kind == MANDATE and option.intermediary is not None:
        if option.intermediary.number == option.acting.number:  # a person-to-person mandate to this person
            return _("Mandate to you")
        return _("Mandate via %(taker)s", taker=option.intermediary.name)
    if option.kind == OWN_NAME:
        return _("In your own name")
    if option.kind == LEGAL_REPRESENTATIVE:
        return _("As legal representative")
    return _("As an employee")


def translated(language: str, message: str, **values) -> str:
    text = CATALOGUES.get(language, {}).get(message) or message
    return text % values if values else text


def explanation_text(missing) -> str:
    language = current_language()
    if language == "nl":
        return missing.text_nl
    if language == "en":
        return missing.text_en
    table = MANDATE_CONDITION_TEXT if missing.subject == MANDATE else {}
    template = table.get(missing.condition) or CONDITION_TEXT.get(missing.condition) or FALLBACK_TEXT
    values = {
        "organisation": missing.organisation.name if missing.organisation else "",
        "giver": missing.represented.name if missing.represented else "",
        "mandate": missing.mandate_id or "",
    }
    return _(template, **values)
