"""Who is logged in, for whom they act, and what they may see: the authorization core.

The broker's assertion names the acting person, the party (LegalSubjectID) and the login kind. A
login is kept only for the three kinds this application accepts, and every request asks the store
again whether the person may still manage that party's mandates: a right that ended while someone
was logged in stops their next page or action. A mandate the party takes no part in does not exist
for them: 404, exactly like a number that was never given.
"""

from dataclasses import asdict, dataclass

from flask import abort, current_app, g, session

from mandates_store import LEGAL_REPRESENTATIVE, OWN_NAME, WORK_RELATIONSHIP, Actor, Mandate, NotAllowed, UnknownEntity

ACCEPTED_KINDS = (OWN_NAME, WORK_RELATIONSHIP, LEGAL_REPRESENTATIVE)


class RightEnded(Exception):
    """The logged-in person may no longer manage the party's mandates."""


@dataclass(frozen=True)
class Login:
    acting: str  # national number of the person at the keyboard
    acting_name: str
    party: str  # the party they act for (LegalSubjectID)
    party_name: str
    party_kind: str  # person | organisation
    kind: str  # the LoginKind
    name_id: str  # the NameID, as text, for Single Logout

    @property
    def actor(self) -> Actor:
        return Actor(person=self.acting, party=self.party)


def login_from_attributes(values: dict[str, str], name_id: str) -> Login | None:
    """The login the broker's attributes describe, or None when this application does not accept it."""
    kind = values.get("LoginKind")
    if kind not in ACCEPTED_KINDS or not values.get("ActingSubjectID") or not values.get("LegalSubjectID"):
        return None
    if kind == OWN_NAME and values["ActingSubjectID"] != values["LegalSubjectID"]:
        return None
    return Login(
        acting=values["ActingSubjectID"],
        acting_name=values.get("ActingSubjectName", ""),
        party=values["LegalSubjectID"],
        party_name=values.get("LegalSubjectName", ""),
        party_kind=values.get("LegalSubjectKind", ""),
        kind=kind,
        name_id=name_id,
    )


def remember(login: Login) -> None:
    session["login"] = asdict(login)


def current_login() -> Login | None:
    data = session.get("login")
    return Login(**data) if data else None


def store():
    return current_app.extensions["selfservice_store"]


def checked_login() -> Login:
    """The login, after the store confirmed the right holds today (RightEnded otherwise)."""
    if "checked_login" not in g:
        login = current_login()
        try:
            store().check_may_manage(login.actor)
        except (NotAllowed, UnknownEntity):
            raise RightEnded() from None
        g.checked_login = login
    return g.checked_login


def own_mandate(mandate_id: int) -> Mandate:
    """The mandate, if the logged-in party is its giver or taker; 404 otherwise."""
    party = checked_login().party
    try:
        mandate = store().mandate(mandate_id)
    except (UnknownEntity, ValueError, OverflowError):
        abort(404)
    if party not in (mandate.giver.number, mandate.taker.number):
        abort(404)
    return mandate


def own_role(mandate: Mandate) -> str:
    return "giver" if mandate.giver.number == checked_login().party else "taker"
