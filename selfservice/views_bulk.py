"""Gegroepeerde acties: bulk create from an uploaded CSV in the background, bulk sign and bulk stop
over a search result confirmed by typing the count, "Resultaat van de gegroepeerde acties", the
report to download, and the history. An operation of another party answers 404.

The import runs in a thread of the worker that took the upload; its state is in the store, so any
worker shows its progress, and one whose worker died shows "Onderbroken" and can be resumed. The
uploaded file (whose second column may hold e-mail addresses) is removed once the import is done.
"""

import hashlib
import os
import secrets
import threading

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from mandates_store import StoreError, UnknownEntity
from mandates_store.bulk.model import RUNNING
from selfservice import i18n, metrics
from selfservice.access import checked_login, store
from selfservice.views import require_login
from selfservice.views_create import store_message
from selfservice.views_search import query_from

grouped = Blueprint("grouped", __name__)
grouped.before_request(require_login)
MAX_UPLOAD = 32 * 1024 * 1024
REFRESH_SECONDS = 2  # the result page of a running import reloads itself this often


def _settings():
    return current_app.extensions["selfservice_settings"]


def _upload_path(token: str) -> str:
    if not token or not token.isalnum():
        abort(404)
    # the file name carries the party: a token of another party finds no file
    return os.path.join(_settings().bulk_dir, f"{checked_login().party}-{token}.csv")


def own_operation(operation_id: str):
    if not operation_id.isdigit():
        abort(404)
    try:
        report = store().bulk_report(int(operation_id))
    except (UnknownEntity, StoreError):
        abort(404)
    if report.operation.party != checked_login().party:
        abort(404)
    return report


@grouped.route("/gegroepeerd")
def overview():
    return render_template("bulk_overview.html", operations=store().bulk_operations(checked_login().party))


def _run_import(app, actor, role, types, path, resume=None):
    start = "resume" if resume else "new"
    with app.app_context():
        store_ = app.extensions["selfservice_store"]
        try:
            report = store_.bulk_create(actor, role=role, types=types, path=path, accept_contract=True, resume=resume)
        except StoreError as refused:
            metrics.BULK_IMPORTS.labels(start, "refused").inc()
            app.logger.warning("bulk import refused: %s", refused.code, extra={"operation": resume})
        else:
            op = report.operation
            metrics.BULK_IMPORTS.labels(start, "finished").inc()
            metrics.BULK_LINES.labels("ok").inc(op.lines_ok)
            metrics.BULK_LINES.labels("refused").inc(op.lines_failed)
            values = {"operation": op.id, "status": op.status, "lines_ok": op.lines_ok, "lines_failed": op.lines_failed}
            app.logger.info("bulk import finished", extra=values)
        finally:
            if os.path.exists(path):
                os.remove(path)
            store_.close()


def start_import(actor, role, types, path, resume=None) -> threading.Thread:
    app = current_app._get_current_object()
    thread = threading.Thread(target=_run_import, args=(app, actor, role, types, path, resume), daemon=True)
    thread.start()
    app.extensions.setdefault("selfservice_imports", []).append(thread)
    return thread


@grouped.route("/gegroepeerd/aanmaken", methods=["GET", "POST"])
def create():
    party = store().party(checked_login().party)
    types = store().mandate_types(party.kind)
    chosen = [t for t in types if t.code in request.form.getlist("type")]
    values = {"types": types, "chosen": chosen, "role": request.form.get("role", ""), "errors": {}}
    if request.method == "GET":
        return render_template("bulk_create.html", **values)
    step = request.form.get("step", "upload")
    if not chosen:
        values["errors"]["type"] = i18n.gettext("Choose at least one mandate type.")
    if values["role"] not in ("giver", "taker"):
        values["errors"]["role"] = i18n.gettext("Choose your role.")
    if step == "upload":
        upload = request.files.get("file")
        content = upload.read(MAX_UPLOAD + 1) if upload else b""
        if not content.strip():
            values["errors"]["file"] = i18n.gettext("Choose a CSV file with at least one line.")
        elif len(content) > MAX_UPLOAD:
            values["errors"]["file"] = i18n.gettext("The file is too large.")
        if values["errors"]:
            return render_template("bulk_create.html", **values), 400
        token = secrets.token_hex(16)
        os.makedirs(_settings().bulk_dir, exist_ok=True)
        with open(_upload_path(token), "wb") as handle:
            handle.write(content)
        lines = sum(1 for line in content.decode("utf-8", "replace").splitlines() if line.strip())
        return render_template("bulk_create_confirm.html", token=token, lines=lines, **values)
    path = _upload_path(request.form.get("token", ""))
    if not os.path.exists(path):
        abort(404)
    if values["errors"] or request.form.get("accept") != "yes":
        values["errors"].setdefault("accept", i18n.gettext("You must accept the terms of the mandate."))
        lines = sum(1 for line in open(path, encoding="utf-8", errors="replace") if line.strip())
        return render_template("bulk_create_confirm.html", token=request.form["token"], lines=lines, **values), 400
    checked_login()  # the right holds now; the store checks it again when the import starts
    start_import(checked_login().actor, values["role"], [t.code for t in chosen], path)
    current_app.logger.info("bulk import queued")
    return redirect(url_for("grouped.overview"), 303)


@grouped.route("/gegroepeerd/<kind>", methods=["GET", "POST"])
def over_search(kind):
    if kind not in ("ondertekenen", "stopzetten"):
        abort(404)
    action = "sign" if kind == "ondertekenen" else "stop"
    query, errors = query_from(request.values)
    found = store().bulk_preview(checked_login().actor, query, action) if not errors else []
    values = {"kind": kind, "found": found, "args": request.values, "errors": errors}
    if request.method == "GET" or errors:
        return render_template("bulk_search.html", **values), 400 if errors else 200
    typed = request.form.get("count", "").strip()
    try:
        if action == "sign":
            if request.form.get("accept") != "yes":
                raise StoreError("", i18n.gettext("You must accept the terms of the mandate."))
            report = store().bulk_sign(
                checked_login().actor, query, confirm_count=int(typed) if typed.isdigit() else -1, accept_contract=True
            )
        else:
            report = store().bulk_stop(
                checked_login().actor,
                query,
                confirm_count=int(typed) if typed.isdigit() else -1,
                reason=request.form.get("reason", "")[:500] or None,
            )
    except StoreError as error:
        values["errors"] = {"count": store_message(error) if error.message else error.message_nl}
        return render_template("bulk_search.html", **values), 400
    return redirect(url_for("grouped.result", operation_id=report.operation.id), 303)


@grouped.route("/gegroepeerd/resultaat/<operation_id>")
def result(operation_id):
    """While the operation runs, the page refreshes itself (an HTTP Refresh header: no script, and
    unlike <meta refresh> it is no WCAG failure) until it has finished; "?vernieuwen=uit" stops that."""
    report = own_operation(operation_id)
    running = report.operation.status == RUNNING
    refreshing = running and request.args.get("vernieuwen") != "uit"
    page = render_template(
        "bulk_result.html",
        report=report,
        lines=report.lines[:200],
        running=running,
        refreshing=refreshing,
        refresh_seconds=REFRESH_SECONDS,
    )
    headers = {"Refresh": str(REFRESH_SECONDS)} if refreshing else {}
    return page, 200, headers


@grouped.route("/gegroepeerd/resultaat/<operation_id>/hervatten", methods=["POST"])
def resume(operation_id):
    """An import whose worker died: the same file again, continued after its last committed line."""
    report = own_operation(operation_id)
    operation = report.operation
    if not operation.interrupted:
        abort(404)
    upload = request.files.get("file")
    content = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not content.strip() or hashlib.sha256(content).hexdigest() != operation.source_sha256:
        error = i18n.gettext("Upload the same file the import was reading.")
        return render_template("bulk_result.html", report=report, lines=report.lines[:200], error=error), 400
    _remove_stale_upload(operation.source)
    path = _upload_path(secrets.token_hex(16))
    os.makedirs(_settings().bulk_dir, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)
    types = [t.strip() for t in (operation.mandate_types or "").split(",") if t.strip()]
    start_import(checked_login().actor, operation.role, types, path, resume=operation.id)
    current_app.logger.info("bulk import resumed", extra={"operation": operation.id})
    return redirect(url_for("grouped.result", operation_id=operation.id), 303)


def _remove_stale_upload(source: str | None) -> None:
    """The killed worker's copy of the file (it may hold e-mail addresses): never read again."""
    folder = os.path.abspath(_settings().bulk_dir)
    if source and os.path.dirname(os.path.abspath(source)) == folder:
        if os.path.basename(source).startswith(f"{checked_login().party}-") and os.path.exists(source):
            os.remove(source)


@grouped.route("/gegroepeerd/resultaat/<operation_id>/rapport.txt")
def report_text(operation_id):
    report = own_operation(operation_id)
    return Response(
        store().bulk_report_text(report.operation.id),
        mimetype="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rapport-{report.operation.id}.txt"'},
    )
