"""Gebruikersbeheer's authorization: may the logged-in person administer the organisation they act
for, and which of its people, relationships and rights exist for them.

Like Mandatenbeheer, every page asks the store again (a standing ended during the session stops the
next click) and the store checks once more inside each write. A person, work relationship or right
of another organisation answers 404, exactly like a number that was never given.
"""

from flask import abort, g

from mandates_store import OWN_NAME, NotAllowed, StoreError, UnknownEntity
from selfservice.access import current_login, store


class NoAdministration(Exception):
    """The logged-in person may not (any more) administer the organisation's users."""


def in_own_name() -> bool:
    login = current_login()
    return login is not None and (login.kind == OWN_NAME or login.party_kind == "person")


def standing() -> str:
    """'head' or 'local' for the logged-in organisation, asked of the store once per request."""
    if "admin_standing" not in g:
        try:
            g.admin_standing = store().check_may_administer(current_login().actor)
        except (NotAllowed, UnknownEntity):
            raise NoAdministration() from None
    return g.admin_standing


def may_administer() -> bool:
    if current_login() is None or in_own_name():
        return False
    try:
        standing()
    except NoAdministration:
        return False
    return True


def may_manage() -> bool:
    login = current_login()
    if login is None:
        return False
    try:
        store().check_may_manage(login.actor)
    except StoreError:
        return False
    return True


def own_member(number: str):
    """The organisation's member with this national number; 404 for anyone else."""
    if not number.isdigit() or len(number) != 11:
        abort(404)
    try:
        return store().member(current_login().party, number)
    except StoreError:
        abort(404)


def own_id(text: str, known) -> int:
    """A relationship's or right's id from a URL, only when it is one of `known`'s (the member's)."""
    if not text.isdigit() or int(text) not in {item.id for item in known}:
        abort(404)
    return int(text)
