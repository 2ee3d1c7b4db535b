"""Login options for one person at one application, and the claims an option stands for."""

from datetime import date, timedelta

from broker.attributes import ID_TYPE_ORGANISATION, ID_TYPE_PERSON
from broker.policy import Policy
from broker.policy.scope import scope_for
from mandates_store import OWN_NAME, PERSON, LoginOption, Party, Store


def options_for(store: Store, person: str, person_name: str, today: date, policy: Policy) -> list[LoginOption]:
    """Every option, own name first. The store builds them all, the own-name one too (also for a
    person it does not know), naming the person as the upstream authenticator did."""
    options = store.login_options(person=person, at=today, scope=scope_for(policy), name=person_name)
    return sorted(options, key=lambda o: o.kind != OWN_NAME)


def option_for(
    store: Store, person: str, person_name: str, today: date, policy: Policy, key: str
) -> LoginOption | None:
    """The option `key` of options_for, if it still holds today (the chooser's re-check of the
    option chosen: the same rules, one option asked)."""
    return store.login_option(person=person, at=today, scope=scope_for(policy), key=key, name=person_name)


def _id_type(party: Party) -> str:
    return ID_TYPE_PERSON if party.kind == PERSON else ID_TYPE_ORGANISATION


def claims_for(option: LoginOption, acting_name: str) -> dict[str, str]:
    """The attribute vocabulary's values for one chosen option (broker.attributes); a value the
    broker does not have (a name, a type) is left out rather than asserted empty."""
    claims = {
        "ActingSubjectID": option.acting.number,
        "ActingSubjectIDType": _id_type(option.acting),
        "ActingSubjectName": acting_name or option.acting.name,
        "LegalSubjectID": option.represented.number,
        "LegalSubjectIDType": _id_type(option.represented),
        "LegalSubjectKind": option.represented.kind,
        "LegalSubjectName": option.represented.name,
        "LoginKind": option.kind,
    }
    if option.intermediary is not None:
        claims.update(
            IntermediateSubjectID=option.intermediary.number,
            IntermediateSubjectIDType=_id_type(option.intermediary),
            IntermediateSubjectName=option.intermediary.name,
        )
    if option.mandate_id is not None:
        claims["MandateID"] = str(option.mandate_id)
        claims["MandateType"] = option.mandate_type
        if option.valid_from:
            claims["MandateValidFrom"] = option.valid_from.isoformat()
        if option.valid_until:
            # the store's end is exclusive; applications get the last valid day
            claims["MandateValidUntil"] = (option.valid_until - timedelta(days=1)).isoformat()
    return {key: value for key, value in claims.items() if value}
