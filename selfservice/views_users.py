"""Gebruikersbeheer (seed 000 chapter 1): Gebruikers, a person's work relationships and rights,
Mijn lokale beheerders, and the history of every change.

Only GET pages here; the writes are in views_user_rights.py. A person in their own name has
nothing to administer (§0.3.2): the pages say so and show their own local administrators.
"""

import re

from flask import Blueprint, get_flashed_messages, render_template, request

from mandates_store import MANDAATUITVOERDER
from mandates_store.user_admin import GRANTABLE
from mandates_store.validity import holds_on
from selfservice import i18n
from selfservice.access import current_login, store
from selfservice.admin_access import NoAdministration, in_own_name, may_administer, may_manage, own_member, standing

users = Blueprint("users", __name__)
ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

EVENT_WORDS = {
    "relationship_added": "Work relationship added",
    "relationship_ended": "Work relationship ended",
    "right_granted": "Right given",
    "right_ended": "Right ended",
}
NO_ADMINISTRATION = (
    "You may not administer the users of this organisation (any more): that needs the right "
    "Lokale beheerder or Hoofd lokale beheerder, or being its legal representative."
)
PERIOD_WORDS = {"active": "Active", "ended": "Ended", "future": "Not begun yet"}


def event_detail(text: str | None) -> str:
    """The store's detail with its ISO dates as people read them (a period's end stays exclusive)."""
    return ISO_DAY.sub(lambda m: f"{m[3]}/{m[2]}/{m[1]}", text or "").replace("..", " – ")


def period_state(valid_from, valid_until) -> str:
    today = store().today()
    if holds_on(valid_from, valid_until, today):
        return "active"
    return "future" if valid_from > today and (valid_until is None or valid_until > valid_from) else "ended"


@users.app_context_processor
def user_admin_values():
    logged_in = current_login() is not None
    return {
        "today": store().today(),
        "area_mandates": logged_in and may_manage(),
        "area_users": logged_in and may_administer(),
        "period_state": period_state,
        "period_text": lambda code: i18n.gettext(PERIOD_WORDS[code]),
        "event_text": lambda code: i18n.gettext(EVENT_WORDS.get(code, code)),
        "event_detail": event_detail,
        "MANDAATUITVOERDER": MANDAATUITVOERDER,
    }


@users.before_request
def require_administrator():
    login = current_login()
    if login is None:
        return render_template("welcome.html"), 401
    if request.endpoint == "users.local_administrators":
        return None  # any member: checked in the view
    if in_own_name():
        return nothing_to_administer()
    standing()  # NoAdministration when the standing is gone: no page, no action
    return None


def nothing_to_administer():
    login = current_login()
    organisations = []
    for relationship in store().work_relationships(login.acting):
        if holds_on(relationship.valid_from, relationship.valid_until, store().today()):
            organisations.append(
                (
                    store().party(relationship.organisation),
                    relationship,
                    store().local_administrators(relationship.organisation),
                )
            )
    return render_template("users_own_name.html", organisations=organisations)


def users_home_values(**extra):
    login = current_login()
    text = request.args.get("q", "").strip()[:100]
    found = store().members(login.party, text)
    return {
        "members": found,
        "q": text,
        "level": standing(),
        "notices": get_flashed_messages(),
        "errors": {},
        "form": {},
        **extra,
    }


@users.route("/gebruikers")
def home():
    return render_template("users.html", **users_home_values())


def person_values(member, **extra):
    login = current_login()
    level = standing()
    return {
        "member": member,
        "level": level,
        "grantable": GRANTABLE[level],
        "types": store().executor_types(),
        "history": store().idm_events(login.party, member.person.number),
        "notices": get_flashed_messages(),
        "errors": {},
        "form": {},
        **extra,
    }


@users.route("/gebruikers/<number>")
def person(number):
    return render_template("user.html", **person_values(own_member(number)))


@users.route("/gebruikers/historiek")
def history():
    login = current_login()
    return render_template("users_history.html", history=store().idm_events(login.party))


@users.route("/lokale-beheerders")
def local_administrators():
    """Mijn lokale beheerders (§1.1 FAQ): any member of the organisation may see them."""
    login = current_login()
    if in_own_name():
        return nothing_to_administer()
    if not may_manage():
        standing()  # neither manager nor administrator (any more): NoAdministration
    return render_template(
        "users_local_administrators.html",
        party=store().party(login.party),
        administrators=store().local_administrators(login.party),
    )


def register(app) -> None:
    from selfservice.views_user_rights import changes

    app.register_blueprint(users)
    app.register_blueprint(changes)

    @app.errorhandler(NoAdministration)
    def no_administration(_error):
        return render_template(
            "error.html",
            title=i18n.gettext("No access"),
            message=i18n.gettext(NO_ADMINISTRATION),
        ), 403
