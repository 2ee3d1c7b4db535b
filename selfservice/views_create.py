"""Aanmaken (seed 000 §2.2): the parameters, the types, your role, the counterparty ("Opzoeken",
exactly one result or none), the contracts with "Ik heb de voorwaarden gelezen en ga akkoord",
"Bevestigen", and "Succesvol aangemaakte mandaten"."""

from flask import Blueprint, abort, redirect, render_template, request, url_for

from mandates_store import Conflict, InvalidIdentifier, StoreError
from selfservice import i18n, refusals
from selfservice.access import checked_login, own_mandate, store
from selfservice.forms import CreateInput, FormError, check_email
from selfservice.notify import send_creation_notice
from selfservice.views import require_login

create = Blueprint("create", __name__)
create.before_request(require_login)
KIND_WORDS = {"organisation": "enterprise", "person": "individual"}


def store_message(error: StoreError) -> str:
    """The store's own sentence in Dutch and English, French and German from the catalogues."""
    language = i18n.current_language()
    if language == "nl":
        return error.message_nl
    return refusals.translate(error.message, language)


def _types_for_party():
    party = store().party(checked_login().party)
    return party, store().mandate_types(party.kind)


def _lookup(data: CreateInput):
    """The counterparty "Opzoeken" finds: an enterprise by number or exact full name, a person by
    national number + street + house number + postcode. (party or None, error or None)"""
    try:
        if data.enterprise or data.enterprise_name:
            return store().find_enterprise(data.enterprise or data.enterprise_name), None
        if data.person_number or data.street or data.house_number or data.postcode:
            return store().find_person(data.person_number, data.street, data.house_number, data.postcode), None
    except (InvalidIdentifier, StoreError) as error:
        return None, store_message(error)
    return None, i18n.gettext("Fill in an enterprise number or name, or the four fields of a person.")


def _page(data: CreateInput, errors: dict, found=None, template="create.html", status=200):
    party, types = _types_for_party()
    chosen = [t for t in types if t.code in data.types]
    return render_template(
        template,
        data=data,
        errors=errors,
        party=party,
        address=store().address(party.number),
        types=types,
        chosen=chosen,
        found=found,
        kind_words=KIND_WORDS,
        today=store().today(),
    ), status


def _check(data: CreateInput) -> dict:
    """Everything the review needs, in the page's words; the store checks it all again on confirm."""
    errors = {}
    today = store().today()
    try:
        start = data.start(today)
        if start < today:
            errors["start"] = i18n.gettext("The start date cannot lie in the past.")
    except FormError as error:
        errors["start"] = i18n.gettext(error.message)
    try:
        end = data.end_exclusive()
        if end is not None and "start" not in errors and end <= data.start(today):
            errors["end"] = i18n.gettext("The end date must come after the start date.")
    except FormError as error:
        errors["end"] = i18n.gettext(error.message)
    _, types = _types_for_party()
    chosen = [t for t in types if t.code in data.types]
    if not chosen:
        errors["type"] = i18n.gettext("Choose at least one mandate type.")
    elif len({t.combinations for t in chosen}) > 1:
        errors["type"] = i18n.gettext(
            "The chosen mandate types cannot be combined (the giver - taker relation differs)."
        )
    if data.role not in ("giver", "taker"):
        errors["role"] = i18n.gettext("Choose your role.")
    if not data.counterparty:
        errors["counterparty"] = i18n.gettext("Look up the counterparty first.")
    for name, value in (("email", data.email), ("own_email", data.own_email)):
        try:
            check_email(value, name)
        except FormError as error:
            errors[name] = i18n.gettext(error.message)
    return errors


@create.route("/aanmaken", methods=["GET", "POST"])
def form():
    if request.method == "GET":
        return _page(CreateInput(start_text=store().today().strftime("%d/%m/%Y")), {})
    data = CreateInput.from_form(request.form)
    step = request.form.get("step", "edit")
    found = store().party(data.counterparty) if data.counterparty else None
    if step == "lookup":
        found, problem = _lookup(data)
        data.counterparty = found.number if found else ""
        if found is None:
            return _page(data, {"lookup": problem or i18n.gettext("No result found.")})
        return _page(data, {}, found)
    if step == "edit":
        return _page(data, {}, found)
    if step == "stop_conflict":
        return _stop_conflict(data, found)
    errors = _check(data)
    if errors:
        return _page(data, errors, found, status=400)
    if step == "review" or not data.accepted:
        if step == "confirm":
            errors["accept"] = i18n.gettext("You must accept the terms of the mandate.")
        return _page(data, errors, found, template="create_review.html", status=400 if errors else 200)
    try:
        made = store().create_mandates(
            checked_login().actor,
            role=data.role,
            counterparty=data.counterparty,
            types=data.types,
            start=data.start(store().today()),
            end=data.end_exclusive(),
            reference=data.reference or None,
            language=data.language,
            accept_contract=True,
        )
    except Conflict as conflict:
        existing = own_mandate(conflict.existing_id)  # same pair: the party takes part in it
        return render_template("create_conflict.html", data=data, existing=existing, found=found), 409
    except StoreError as error:
        return _page(data, {"store": store_message(error)}, found, template="create_review.html", status=400)
    if data.email:
        send_creation_notice(made, data.email, data.own_email or None, data.mail_language)
    return redirect(url_for("create.created", m=[m.id for m in made]), 303)


@create.route("/aanmaken/bevestiging")
def created():
    numbers = request.args.getlist("m")
    if not numbers or not all(n.isdigit() for n in numbers):
        abort(404)
    made = [own_mandate(int(n)) for n in numbers[:50]]
    first = made[0]
    return render_template(
        "created.html",
        made=made,
        giver_address=store().address(first.giver.number),
        taker_address=store().address(first.taker.number),
    )


def _stop_conflict(data: CreateInput, found):
    """ "Stopzetten" on the conflict screen of a creation: stop the existing mandate, then the
    review again with "Het conflict is opgelost", to confirm the new one."""
    number = request.form.get("existing", "")
    if not number.isdigit():
        abort(404)
    existing = own_mandate(int(number))
    try:
        store().stop(checked_login().actor, existing.id, reason=request.form.get("reason", "")[:500] or None)
    except StoreError as error:
        return _page(data, {"store": store_message(error)}, found, template="create_review.html", status=400)
    notices = [i18n.gettext("The mandate was stopped successfully."), i18n.gettext("The conflict is resolved.")]
    data.accepted = False
    party, types = _types_for_party()
    return render_template(
        "create_review.html",
        data=data,
        errors={},
        party=party,
        address=store().address(party.number),
        chosen=[t for t in types if t.code in data.types],
        found=found,
        today=store().today(),
        notices=notices,
    )
