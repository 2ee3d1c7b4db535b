"""The store's values, as plain immutable dataclasses - except `Party` and `LoginOption`.

Those two are named tuples: the login path builds thousands of them per call for a firm with
thousands of givers, and a named tuple is built several times faster than a frozen dataclass
(which sets each field through object.__setattr__). They keep the same fields, order,
immutability, equality, hashing and repr; unlike a dataclass, they also compare equal to a plain
tuple with the same values.

Dates: `valid_until`, `end_date` and `until` are exclusive - the first day on which the thing no
longer holds (the seeds show a mandate "Vervallen" on its end date).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

PERSON = "person"
ORGANISATION = "organisation"

GIVER = "giver"
TAKER = "taker"
ADMINISTRATOR = "administrator"

LANGUAGES = ("nl", "fr", "de", "en")

MANDAATBEHEERDER = "SSM Mandaatbeheerder"
MANDAATUITVOERDER = "SSM Mandaatuitvoerder"


class Party(NamedTuple):
    number: str  # normalised: 11 digits (person) or 10 digits (organisation)
    kind: str  # "person" | "organisation"
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.number})"


@dataclass(frozen=True)
class Address:
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class MandateType:
    code: str  # e.g. "WSE Loket"
    names: dict[str, str] = field(hash=False, compare=False, default_factory=dict)
    contracts: dict[str, str] = field(hash=False, compare=False, default_factory=dict)
    combinations: frozenset[tuple[str, str]] = frozenset()  # {(giver kind, taker kind)}

    def name(self, language: str = "nl") -> str:
        return self.names.get(language) or self.names.get("nl") or self.code


@dataclass(frozen=True)
class Actor:
    """Who does something: a person acting for a party (themselves or an organisation).

    With `administrator=True` the person is an administrator's user name, no rights are
    checked, and the change shows as made by the administrator.
    """

    person: str
    party: str
    administrator: bool = False

    @classmethod
    def admin(cls, party: str, user: str = "administrator") -> "Actor":
        return cls(person=user, party=party, administrator=True)


@dataclass(frozen=True)
class Mandate:
    id: int
    type_code: str
    giver: Party
    taker: Party
    state: str  # stored state: "awaiting" | "signed" | "stopped"
    status: str  # derived today: see status.STATUSES
    signer: str  # number of the party that must sign while awaiting
    start_date: date
    end_date: date | None
    reference: str | None
    language: str
    created_at: datetime
    signed_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    changed_by: str  # "giver" | "taker" | "administrator"
    changed_at: datetime
    transfer_of: int | None

    @property
    def status_nl(self) -> str:
        from mandates_store.status import STATUS_NL

        return STATUS_NL[self.status]


@dataclass(frozen=True)
class HistoryEntry:
    at: date
    event: str  # created, signed, stopped, transfer_requested, transferred, active, future_start, expired
    text_nl: str
    person: str | None = None
    party: Party | None = None
    role: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Scope:
    """What one application accepts; the broker builds it from the application's policy."""

    mandate_types: frozenset[str] = frozenset()
    own_name: bool = True
    work_relationship: bool = False
    # the application right an ordinary member needs, if any; several (a tuple): any one of them
    member_right: str | tuple[str, ...] | None = None
    mandate: bool = True
    legal_representative: bool = False

    @property
    def member_rights(self) -> frozenset[str]:
        if not self.member_right:
            return frozenset()
        return frozenset([self.member_right] if isinstance(self.member_right, str) else self.member_right)

    @property
    def member_right_text(self) -> str:
        """The right(s) as a sentence names them: 'A', or 'A' or 'B'."""
        return " or ".join(f"'{name}'" for name in sorted(self.member_rights))


# The kinds of login option, and their order wherever options are listed: own name, then the
# organisations the person belongs to or represents, then the givers of mandates.
OWN_NAME = "own_name"
WORK_RELATIONSHIP = "work_relationship"
MANDATE = "mandate"
LEGAL_REPRESENTATIVE = "legal_representative"
KIND_ORDER = {OWN_NAME: 0, WORK_RELATIONSHIP: 1, LEGAL_REPRESENTATIVE: 2, MANDATE: 3}


class Reason(str):
    """Why an option exists: the English text (the string itself) with its Dutch words in .nl, so
    that a command prints one language per run. Built once per kind of route, not per option."""

    def __new__(cls, en: str, nl: str) -> "Reason":
        reason = super().__new__(cls, en)
        reason.nl = nl
        return reason

    def __reduce__(self):
        return Reason, (str(self), self.nl)

    def in_language(self, language: str) -> str:
        return self.nl if language == "nl" else str(self)


class LoginOption(NamedTuple):
    kind: str  # own_name | work_relationship | mandate | legal_representative
    acting: Party
    represented: Party
    intermediary: Party | None  # the mandate taker
    mandate_id: int | None
    mandate_type: str | None
    valid_from: date | None
    valid_until: date | None  # exclusive
    reason: Reason
    key: str  # stable per option: own, work:<org>, rep:<org>, mandate:<id>


@dataclass(frozen=True)
class MissingOption:
    """Why one of the person's links gives no login option for a scope."""

    subject: str  # own_name | work_relationship | right | mandate | legal_representative
    condition: str  # the failed condition, e.g. "mandate_not_active", "type_not_in_scope"
    text_en: str
    text_nl: str
    organisation: Party | None = None  # the organisation the link is with, when there is one
    represented: Party | None = None  # only ever a party the person is linked with
    mandate_id: int | None = None
    mandate_type: str | None = None


@dataclass(frozen=True)
class WorkRelationship:
    id: int
    person: str
    organisation: str
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class UserRight:
    id: int
    person: str
    organisation: str
    name: str
    valid_from: date
    valid_until: date | None
    mandate_types: frozenset[str] = frozenset()
    givers: frozenset[str] | None = None  # None: every giver


@dataclass(frozen=True)
class Representative:
    id: int
    person: str
    enterprise: str
    function: str
    since: date
    until: date | None
