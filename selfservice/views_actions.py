"""Ondertekenen (§2.3) with the conflict screen, Stopzetten (§2.5) and Overdragen.

Every action re-reads the mandate through own_mandate (404 for another party's) and the store checks
the right again inside its write transaction: the store's refusal is what the page shows.
"""

from flask import Blueprint, abort, flash, get_flashed_messages, redirect, render_template, request, url_for

from mandates_store import Conflict, StoreError
from selfservice import i18n
from selfservice.access import checked_login, own_mandate, own_role, store
from selfservice.views import awaiting_my_signature, require_login
from selfservice.views_create import store_message

actions = Blueprint("signing", __name__)
actions.before_request(require_login)
STOPPABLE = ("awaiting_signature", "active", "future_start")
TRANSFERABLE = ("active", "future_start")


def available_actions(mandate) -> list[tuple[str, str]]:
    party = checked_login().party
    found = []
    if mandate.status == "awaiting_signature" and mandate.signer == party:
        found.append(("signing.sign", "Sign"))
    if mandate.status in STOPPABLE:
        found.append(("signing.stop", "Stop"))
    if mandate.status in TRANSFERABLE:
        found.append(("signing.transfer", "Transfer"))
    return found


def _contract(mandate) -> str:
    kind = store().mandate_type(mandate.type_code)
    return (kind.contracts.get(mandate.language) or kind.contracts.get("nl") or "") if kind else ""


def _mandate_id(text: str) -> int:
    if not text.isdigit():
        abort(404)
    return int(text)


@actions.route("/ondertekenen")
def overview():
    return render_template("sign_overview.html", mandates=awaiting_my_signature(checked_login().party))


@actions.route("/mandaten/<mandate_id>/ondertekenen", methods=["GET", "POST"])
def sign(mandate_id):
    mandate = own_mandate(_mandate_id(mandate_id))
    values = {"mandate": mandate, "contract": _contract(mandate), "notices": get_flashed_messages()}
    if request.method == "GET":
        return render_template("sign.html", **values)
    if request.form.get("accept") != "yes":
        return render_template(
            "sign.html", error=i18n.gettext("You must accept the terms of the mandate."), **values
        ), 400
    try:
        store().sign(checked_login().actor, mandate.id, accept_contract=True)
    except Conflict as conflict:
        existing = own_mandate(conflict.existing_id)  # same pair, so the party takes part in it
        return render_template("conflict.html", mandate=mandate, existing=existing), 409
    except StoreError as error:
        return render_template("sign.html", error=store_message(error), **values), 400
    flash(i18n.gettext("The mandate was signed."))
    return redirect(url_for("pages.details", mandate_id=mandate.id), 303)


@actions.route("/mandaten/<mandate_id>/stopzetten", methods=["GET", "POST"])
def stop(mandate_id):
    mandate = own_mandate(_mandate_id(mandate_id))
    resolving = request.values.get("resolving", "")
    resolving = int(resolving) if resolving.isdigit() else None
    values = {"mandate": mandate, "contract": _contract(mandate), "resolving": resolving}
    if request.method == "GET":
        return render_template("stop.html", **values)
    try:
        store().stop(checked_login().actor, mandate.id, reason=request.form.get("reason", "")[:500] or None)
    except StoreError as error:
        return render_template("stop.html", error=store_message(error), **values), 400
    flash(i18n.gettext("The mandate was stopped successfully."))
    if resolving is not None:
        own_mandate(resolving)  # 404 for a number that is not the party's
        flash(i18n.gettext("The conflict is resolved."))
        return redirect(url_for("signing.sign", mandate_id=resolving), 303)
    return redirect(url_for("pages.details", mandate_id=mandate.id), 303)


@actions.route("/mandaten/<mandate_id>/overdragen", methods=["GET", "POST"])
def transfer(mandate_id):
    mandate = own_mandate(_mandate_id(mandate_id))
    values = {"mandate": mandate, "role": own_role(mandate), "new_taker": request.form.get("new_taker", "")}
    if request.method == "GET":
        return render_template("transfer.html", **values)
    try:
        new = store().transfer(checked_login().actor, mandate.id, values["new_taker"].strip())
    except StoreError as error:
        return render_template("transfer.html", error=store_message(error), **values), 400
    flash(i18n.gettext("The transfer awaits the signature of the new taker (mandate %(number)s).", number=new.id))
    return redirect(url_for("pages.details", mandate_id=mandate.id), 303)
