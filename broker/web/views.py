"""HTTP endpoints: thin adapters between Flask and the login and logout flows."""

import logging
import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from broker import metrics
from broker.outcomes import LoggedIn, NoOption, PostForm, Redirect, Refused, ShowChooser
from broker.saml import bindings
from broker.saml.errors import SamlError
from broker.selection.chooser import chooser_page, taker_page
from broker.web.auth import SessionUser
from broker.web.errors import error_page
from broker.web.i18n import LANGUAGES, current_language

log = logging.getLogger("broker.http")
saml = Blueprint("saml", __name__)
chooser = Blueprint("chooser", __name__)


def flow_engine():
    return current_app.extensions["login_flow"]


def logout_engine():
    return current_app.extensions["logout_flow"]


def browser_id() -> str:
    """A random value bound to this browser's session cookie; every flow belongs to one browser."""
    cookie = session._get_current_object()  # one context-local lookup, not three
    bid = cookie.get("bid")
    if bid is None:
        bid = cookie["bid"] = secrets.token_urlsafe(24)
    return bid


def _static_url(filename: str) -> str:
    return url_for("static", filename=filename)


def current_session():
    user = current_user._get_current_object()
    return user.record if user.is_authenticated else None


def start_session(record) -> None:
    """A fresh cookie session at login: nothing from before the login carries over but the browser id."""
    bid = browser_id()
    session.clear()
    session["bid"] = bid
    login_user(SessionUser(record))


def render(outcome):
    if isinstance(outcome, LoggedIn):
        start_session(outcome.session)
        outcome = outcome.then  # computed by the flow already: nothing calls back into it
    if isinstance(outcome, Refused):
        return refuse(outcome.error)
    if isinstance(outcome, Redirect):
        return redirect(outcome.url, 303)
    if isinstance(outcome, PostForm):
        pages = current_app.extensions["post_pages"]
        return pages.render(current_language(), request.script_root, _static_url, outcome.action, outcome.fields)
    if isinstance(outcome, ShowChooser):
        # shown in this response, not behind a redirect: one request less per chooser login. The
        # page moves the address bar to /choose/<flow> (static/location.js), so a reload is a GET
        # there; a re-post of the upstream's answer stays refused as a replay.
        record = current_session()
        return chooser_response(outcome.flow_id, outcome.options, outcome.giver, outcome.taker, record, moved=True)
    if isinstance(outcome, NoOption):
        return render_template("no_option.html", explanations=outcome.explanations, flow_id=outcome.flow_id), 403
    raise TypeError(outcome)


def refuse(error: SamlError):
    log.warning("refused: %s", error)
    metrics.LOGINS_REFUSED.labels(request.endpoint or "", error.reason).inc()
    record = current_session()
    person = record.person if record is not None else None
    current_app.extensions["audit"].refused(error.reason, getattr(error, "application", None), person)
    return error_page(error.reason, 400)


def receive(param: str) -> bindings.Received:
    current = request._get_current_object()
    if current.method == "POST":
        return bindings.receive_post(current.form, param)
    return bindings.receive_redirect(current.query_string.decode("latin-1"), param)


@saml.route("/saml/idp/sso", methods=["GET", "POST"])
def single_sign_on():
    try:
        return render(flow_engine().start(receive("SAMLRequest"), browser_id(), current_session()))
    except SamlError as error:
        return refuse(error)


@saml.route("/saml/sp/acs", methods=["POST"])
def assertion_consumer():
    try:
        return render(flow_engine().upstream_answered(receive("SAMLResponse"), browser_id()))
    except SamlError as error:
        return refuse(error)


def _logout_param() -> str:
    source = request.form if request.method == "POST" else request.args
    return "SAMLResponse" if "SAMLResponse" in source else "SAMLRequest"


def _logout(handle):
    """One logout step; a LogoutRequest also ends this browser's broker session."""
    param = _logout_param()
    try:
        outcome = handle(receive(param))
    except SamlError as error:
        return refuse(error)
    if param == "SAMLRequest":
        logout_user()
        session.clear()
    return render(outcome)


@saml.route("/saml/idp/slo", methods=["GET", "POST"])
def application_logout():
    return _logout(logout_engine().application_logout)


@saml.route("/saml/sp/slo", methods=["GET", "POST"])
def upstream_logout():
    return _logout(logout_engine().upstream_logout)


@saml.route("/saml/idp/metadata")
def idp_metadata():
    return current_app.response_class(
        current_app.extensions["own_metadata"].idp(), mimetype="application/samlmetadata+xml"
    )


@saml.route("/saml/sp/metadata")
def sp_metadata():
    return current_app.response_class(
        current_app.extensions["own_metadata"].sp(), mimetype="application/samlmetadata+xml"
    )


@saml.route("/logged-out")
def logged_out():
    return render_template("logged_out.html")


def _chooser_session():
    record = current_session()
    if record is None:
        abort(403)
    return record


@chooser.route("/choose/<flow_id>", methods=["GET", "POST"])
def choose(flow_id):
    record = _chooser_session()
    engine = flow_engine()
    try:
        if request.method == "POST":
            if "cancel" in request.form:
                return render(engine.cancel(flow_id, browser_id(), record))
            return render(engine.choose(flow_id, browser_id(), record, request.form.get("option", "")))
        flow, options = engine.chooser(flow_id, browser_id(), record)
    except SamlError as error:
        return refuse(error)
    query, number = request.args.get("q"), request.args.get("page", "1")
    return chooser_response(flow_id, options, flow.requested_giver, flow.requested_taker, record, query, number)


def chooser_response(flow_id: str, options, giver, taker, record, query=None, page="1", moved=False):
    """The chooser page; `moved`: shown in the answer to another URL, which the page's script
    replaces with /choose/<flow> in the address bar (and the language menu returns there)."""
    model = chooser_page(options, query=query, page=page, giver=giver, taker=taker)
    pages = current_app.extensions["chooser_pages"]
    return pages.render(current_language(), request.script_root, flow_id, model, record.person_name, moved)


@chooser.route("/choose/<flow_id>/via/<giver>")
def choose_taker(flow_id, giver):
    record = _chooser_session()
    try:
        flow, options = flow_engine().chooser(flow_id, browser_id(), record)
    except SamlError as error:
        return refuse(error)
    page = taker_page(options, giver)
    if page is None:
        abort(404)
    return render_template("choose_taker.html", flow_id=flow_id, page=page)


@chooser.route("/language/<code>")
def language(code):
    if code in LANGUAGES:
        session["lang"] = code
    target = request.args.get("next", "/")
    # only a local path: never an open redirect
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target, 303)
