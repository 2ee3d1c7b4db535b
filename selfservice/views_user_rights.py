"""Gebruikersbeheer's writes: add a person with a work relationship, end a relationship (and the
rights inside it), give and end rights. Each resolves the person, relationship or right through the
logged-in organisation (404 otherwise); the store checks the administrator's standing again inside
its transaction, and its refusal is what the page shows. The change counts from the next login.
"""

import re
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for

from mandates_store import MANDAATUITVOERDER, NotAllowed, StoreError, identifiers
from selfservice import i18n
from selfservice.access import current_login, store
from selfservice.admin_access import NoAdministration, own_id, own_member
from selfservice.forms import FormError, parse_day
from selfservice.views_create import store_message
from selfservice.views_users import person_values, require_administrator, users_home_values

changes = Blueprint("user_changes", __name__)
changes.before_request(require_administrator)
SEPARATORS = re.compile(r"[\s,;]+")


def _period(form) -> tuple:
    """(begin, exclusive end) from the form's dd/mm/jjjj fields; the end is typed as the last day."""
    begin = parse_day(form.get("valid_from", ""), "valid_from") or store().today()
    last = parse_day(form.get("valid_until", ""), "valid_until")
    return begin, (last + timedelta(days=1) if last else None)


def _form_error(error: FormError) -> dict:
    return {error.field: i18n.gettext(error.message, **error.values)}


def _refused(error: StoreError) -> dict:
    if isinstance(error, NotAllowed) and error.field in ("acting person", "organisation"):
        raise NoAdministration() from error  # the standing itself ended
    return {error.field or "store": store_message(error)}


@changes.route("/gebruikers/toevoegen", methods=["POST"])
def add():
    form = request.form
    values = {k: form.get(k, "").strip()[:100] for k in ("number", "name", "valid_from", "valid_until")}
    try:
        number = identifiers.person_number(values["number"], "national number")
        begin, end = _period(form)
        store().admin_add_relationship(current_login().actor, number, begin, end, name=values["name"])
    except FormError as error:
        errors = _form_error(error)
    except StoreError as error:
        errors = _refused(error)
    else:
        flash(i18n.gettext("The work relationship was added. It counts from the next login."))
        return redirect(url_for("users.person", number=number), 303)
    return render_template("users.html", **users_home_values(errors=errors, form=values)), 400


@changes.route("/gebruikers/<number>/werkrelaties/<relationship_id>/beeindigen", methods=["POST"])
def end_relationship(number, relationship_id):
    member = own_member(number)
    chosen = own_id(relationship_id, member.relationships)
    try:
        ended = store().admin_end_relationship(current_login().actor, chosen)
    except StoreError as error:
        errors = _refused(error)
        return render_template("user.html", **person_values(member, errors=errors)), 400
    flash(i18n.gettext("The work relationship was ended, and with it %(count)s rights.", count=len(ended)))
    return redirect(url_for("users.person", number=member.person.number), 303)


@changes.route("/gebruikers/<number>/rechten", methods=["POST"])
def grant(number):
    member = own_member(number)
    form = request.form
    values = {
        "right": form.get("right", ""),
        "valid_from": form.get("valid_from", "").strip()[:20],
        "valid_until": form.get("valid_until", "").strip()[:20],
        "types": form.getlist("type")[:50],
        "givers": form.get("givers", "").strip()[:2000],
    }
    givers = [g for g in SEPARATORS.split(values["givers"]) if g] if values["givers"] else None
    try:
        begin, end = _period(form)
        is_executor = values["right"] == MANDAATUITVOERDER
        store().admin_grant(
            current_login().actor,
            member.person.number,
            values["right"],
            begin,
            end,
            mandate_types=values["types"] if is_executor else (),
            givers=givers if is_executor else None,
        )
    except FormError as error:
        errors = _form_error(error)
    except StoreError as error:
        errors = _refused(error)
    else:
        flash(i18n.gettext("The right was given. It counts from the next login."))
        return redirect(url_for("users.person", number=member.person.number), 303)
    return render_template("user.html", **person_values(member, errors=errors, form=values)), 400


@changes.route("/gebruikers/<number>/rechten/<right_id>/beeindigen", methods=["POST"])
def end_right(number, right_id):
    member = own_member(number)
    chosen = own_id(right_id, member.rights)
    try:
        store().admin_end_right(current_login().actor, chosen)
    except StoreError as error:
        return render_template("user.html", **person_values(member, errors=_refused(error))), 400
    flash(i18n.gettext("The right was ended. It no longer counts from the next login."))
    return redirect(url_for("users.person", number=member.person.number), 303)
