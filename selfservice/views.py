"""The pages: start page, a mandate's details, the language choice."""

from flask import Blueprint, abort, get_flashed_messages, redirect, render_template, request, session, url_for

from mandates_store import MandateSearch
from mandates_store.status import AWAITING_SIGNATURE
from selfservice import i18n
from selfservice.access import checked_login, current_login, own_mandate, own_role, store
from selfservice.admin_access import may_administer, may_manage

pages = Blueprint("pages", __name__)


def require_login():
    if request.endpoint in ("pages.language",):
        return None
    if current_login() is None:
        return render_template("welcome.html"), 200 if request.endpoint == "pages.start" else 401
    if request.endpoint == "pages.start" and not may_manage() and may_administer():
        return redirect(url_for("users.home"), 303)  # a local administrator only: Gebruikersbeheer
    checked_login()  # RightEnded when the right is gone: no page, no action
    return None


pages.before_request(require_login)


def awaiting_my_signature(party: str):
    found = store().search(MandateSearch(party=party, status=AWAITING_SIGNATURE))
    return [m for m in found if m.signer == party]


def awaiting_other_side(party: str):
    found = store().search(MandateSearch(party=party, status=AWAITING_SIGNATURE))
    return [m for m in found if m.signer != party]


@pages.route("/")
def start():
    login = checked_login()
    return render_template(
        "start.html",
        to_sign=awaiting_my_signature(login.party),
        waiting=awaiting_other_side(login.party),
        party=store().party(login.party),
        address=store().address(login.party),
    )


EVENTS = {
    "created": "Created by %(who)s",
    "signed": "Signed by %(who)s",
    "stopped": "Stopped by %(who)s",
    "transfer_requested": "Transfer requested by %(who)s",
    "transferred": "Transferred",
    "future_start": "Start date in the future",
    "active": "Active",
    "expired": "Expired",
}


def history_rows(entries) -> list[tuple]:
    """(day, text, role) per entry: the store's Dutch sentence, or its event in the page's language
    with the party that acted (the store words its history in Dutch only)."""
    if i18n.current_language() == "nl":
        return [(entry.at, entry.text_nl, entry.role) for entry in entries]
    rows = []
    for entry in entries:
        who = (
            entry.party.name
            if entry.party
            else (i18n.gettext("Administrator") if entry.role == "administrator" else "")
        )
        text = (
            i18n.gettext(EVENTS.get(entry.event, entry.event), who=who)
            if "%(who)s" in EVENTS.get(entry.event, "")
            else i18n.gettext(EVENTS.get(entry.event, entry.event))
        )
        rows.append((entry.at, text + (f": {entry.detail}" if entry.detail else ""), entry.role))
    return rows


@pages.route("/mandaten/<mandate_id>")
def details(mandate_id):
    if not mandate_id.isdigit():
        abort(404)
    mandate = own_mandate(int(mandate_id))
    from selfservice.views_actions import available_actions

    return render_template(
        "mandate.html",
        mandate=mandate,
        role=own_role(mandate),
        history=history_rows(store().history(mandate.id)),
        actions=available_actions(mandate),
        notices=get_flashed_messages(),
    )


@pages.route("/demo/berichten")
def demo_messages():
    """The demo has no SMTP server: the notifications it would have sent, to the parties concerned."""
    from selfservice.notify import demo_outbox

    if store_settings().smtp_host:
        abort(404)
    return render_template("demo_messages.html", messages=demo_outbox(checked_login().party))


def store_settings():
    from flask import current_app

    return current_app.extensions["selfservice_settings"]


@pages.route("/taal/<code>")
def language(code):
    if code in i18n.LANGUAGES:
        session["lang"] = code
    back = request.args.get("next", "/")
    # only a path of this application: "//host" and "/\\host" are other sites to a browser
    local = back.startswith("/") and not back.startswith(("//", "/\\")) and "\\" not in back
    return redirect(back if local else "/", 303)
