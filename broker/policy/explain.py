"""`broker policy explain`: the options a person gets at one application, and why the others are missing.

The store knows the person's mandates, rights, relationships and functions; the policy decides the
scope. This module only asks the store with the policy's scope and words the answer for the helpdesk.
"""

from dataclasses import dataclass
from datetime import date

from broker.policy.model import Policy
from broker.policy.scope import scope_for
from broker.selection.labels import option_label
from broker.web.i18n import DEFAULT_LANGUAGE
from mandates_store import LEGAL_REPRESENTATIVE, MANDATE, OWN_NAME, WORK_RELATIONSHIP, LoginOption, MissingOption, Party
from mandates_store.validity import last_valid_day

KIND_NAMES = {
    OWN_NAME: "own name",
    WORK_RELATIONSHIP: "work relationship",
    MANDATE: "mandate",
    LEGAL_REPRESENTATIVE: "legal representative",
    "right": "right",  # a MissingOption's subject: the SSM Mandaatuitvoerder right
}


@dataclass(frozen=True)
class Explanation:
    policy: Policy
    person: Party | None  # None: the store does not know the person (only an own-name login is possible)
    person_number: str
    at: date
    options: tuple[LoginOption, ...]
    missing: tuple[MissingOption, ...]


def explain(store, policy: Policy, person: str, at: date) -> Explanation:
    scope = scope_for(policy)
    options = store.login_options(person=person, at=at, scope=scope)
    missing = store.explain_missing(person=person, at=at, scope=scope)
    number = options[0].acting.number if options else person
    return Explanation(policy, store.person(person), number, at, tuple(options), tuple(missing))


def render(explanation: Explanation, language: str = "en") -> list[str]:
    policy = explanation.policy
    person = explanation.person.label if explanation.person else f"{explanation.person_number} (not in the store)"
    lines = [
        f"application: {policy.entity_id} ({policy.source})",
        f"accepts:     {accepted(policy)}",
        f"person:      {person}",
        f"on:          {explanation.at.isoformat()}",
        "",
        f"options ({len(explanation.options)}):" if explanation.options else "options: none",
    ]
    lines += [f"  - {describe_option(option)}" for option in explanation.options]
    lines.append("")
    if explanation.missing:
        lines.append(f"no option from ({len(explanation.missing)}):")
        lines += [f"  - {describe_missing(missing, language)}" for missing in explanation.missing]
    else:
        lines.append("no option from: nothing, every link of the person gives an option")
    return lines


def _rights_text(rights: str | tuple[str, ...]) -> str:
    return " or ".join(f"'{name}'" for name in ([rights] if isinstance(rights, str) else rights))


def accepted(policy: Policy) -> str:
    kinds, parts = policy.login_kinds, []
    if kinds.own_name:
        parts.append("own name")
    if kinds.work_relationship:
        parts.append(
            f"work relationship (with right {_rights_text(kinds.member_right)})"
            if kinds.member_right
            else "work relationship"
        )
    if kinds.legal_representative:
        parts.append("legal representative")
    if kinds.mandate:
        parts.append(f"mandate ({', '.join(sorted(policy.mandate_types))})")
    return "; ".join(parts)


def label(party: Party) -> str:
    return party.label if party.name else party.number  # a person unknown to the store has no name


def describe_option(option: LoginOption) -> str:
    text = f"{KIND_NAMES[option.kind]}: {label(option.represented)}"
    if option.mandate_id is not None:
        until = f"up to and including {last_valid_day(option.valid_until)}" if option.valid_until else "indefinitely"
        text += f", mandate {option.mandate_id} ({option.mandate_type}) from {option.valid_from} {until}"
    if option.intermediary is not None and option.intermediary.number == option.acting.number:
        text += ", taken by the person in own name"
    elif option.intermediary is not None:
        text += f", via {label(option.intermediary)}"
    return f"{text} [{option_label(option, DEFAULT_LANGUAGE)}]"  # as the chooser shows it


def describe_missing(missing: MissingOption, language: str = "en") -> str:
    subject = KIND_NAMES.get(missing.subject, missing.subject)
    if missing.mandate_id is not None:
        subject += f" {missing.mandate_id}"
    elif missing.organisation is not None:
        subject += f" at {label(missing.organisation)}"
    text = missing.text_nl if language == "nl" else missing.text_en
    return f"{subject}: {missing.condition}: {text}"
