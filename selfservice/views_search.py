"""Opzoeken (seed 000 §2.4): every filter of the store's search, "N resultaten.", paging, and the
result as .xlsx or CSV with the fixed columns. The party searched is always the logged-in party:
no parameter can name another."""

import os
import tempfile
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from mandates_store import InvalidIdentifier, MandateSearch, StoreError
from mandates_store.search import parse_participants
from mandates_store.status import STATUSES
from selfservice import i18n
from selfservice.access import checked_login, store
from selfservice.forms import FormError, parse_day
from selfservice.views import require_login
from selfservice.views_create import store_message

searching = Blueprint("searching", __name__)
searching.before_request(require_login)
ROLES = ("either", "giver", "taker")
CHANGED_BY = ("giver", "taker", "administrator")
EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def query_from(args) -> tuple[MandateSearch, dict]:
    """The search the query string asks for, for the logged-in party; problems by field."""
    errors = {}
    role = args.get("role", "either")
    status = args.get("status") or None
    changed_by = args.get("changed_by") or None
    participants = ()
    try:
        participants = parse_participants(args.get("participants", "")[:5000])
    except InvalidIdentifier as error:
        errors["participants"] = store_message(error)
    changed_since = None
    try:
        changed_since = parse_day(args.get("changed_since", ""), "changed_since")
    except FormError as error:
        errors["changed_since"] = i18n.gettext(error.message)
    query = MandateSearch(
        party=checked_login().party,
        role=role if role in ROLES else "either",
        types=frozenset(t for t in args.getlist("type") if t),
        status=status if status in STATUSES else None,
        changed_by=changed_by if changed_by in CHANGED_BY else None,
        participants=participants,
        name=(args.get("name") or "").strip()[:200] or None,
        reference=(args.get("reference") or "").strip()[:100] or None,
        changed_since=changed_since,
    )
    return query, errors


def _page_number() -> int:
    text = request.args.get("page", "1")
    return max(1, min(int(text), 10**6)) if text.isdigit() else 1


@searching.route("/opzoeken")
def search():
    query, errors = query_from(request.args)
    searched = "searched" in request.args and not errors
    total, found, page = 0, [], _page_number()
    size = store_settings().page_size
    if searched:
        try:
            total, found = store().search_page(query, offset=(page - 1) * size, limit=size)
        except StoreError as error:
            errors["store"] = store_message(error)
    arguments = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return render_template(
        "search.html",
        args=request.args,
        errors=errors,
        searched=searched and not errors,
        total=total,
        mandates=found,
        page=page,
        pages=(total + size - 1) // size,
        link=lambda number: "?" + urlencode(arguments + [("page", number)]),
        export_query=urlencode(arguments),
        types=store().mandate_types(),
        statuses=STATUSES,
    ), 400 if errors else 200


@searching.route("/opzoeken/resultaten.<kind>")
def export(kind):
    if kind not in EXPORTS:
        return search()
    query, errors = query_from(request.args)
    if errors:
        return search()
    with tempfile.TemporaryDirectory(prefix="selfservice-export-") as folder:
        path = os.path.join(folder, f"mandaten.{kind}")
        store().export(query, path)
        with open(path, "rb") as handle:
            content = handle.read()
    return Response(
        content,
        mimetype=EXPORTS[kind],
        headers={"Content-Disposition": f'attachment; filename="mandaten.{kind}"'},
    )


def store_settings():
    from flask import current_app

    return current_app.extensions["selfservice_settings"]
