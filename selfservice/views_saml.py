"""Logging in and out through the broker: AuthnRequest, the assertion, Single Logout, metadata."""

from flask import Blueprint, Response, current_app, redirect, render_template, request, session
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import StatusError
from saml2.saml import name_id_from_string

from selfservice import i18n, saml_client
from selfservice.access import current_login, login_from_attributes, remember

saml = Blueprint("saml", __name__)
ONLY_MANAGERS = "This application accepts only logins in your own name, as legal representative or as mandate manager."


def _client():
    return current_app.extensions["saml_client"]


def _settings():
    return current_app.extensions["selfservice_settings"]


def _send_to_broker(switch: bool):
    request_id, info = _client().prepare_for_authenticate(
        entityid=_settings().broker_entity_id,
        relay_state="/",
        binding=BINDING_HTTP_REDIRECT,
        sigalg=saml_client.SHA256,
        extensions=saml_client.switch_extension() if switch else None,
    )
    session["outstanding"] = {request_id: "/"}
    return redirect(dict(info["headers"])["Location"], 303)


@saml.route("/login")
def login():
    return _send_to_broker(switch=False)


@saml.route("/switch")
def switch():
    """ "Wissel van organisatie": the broker's chooser again, without logging out."""
    return _send_to_broker(switch=True)


def _refused(message: str, status: int):
    return render_template("error.html", title=i18n.gettext("Login refused"), message=message, relogin=True), status


@saml.route("/saml/acs", methods=["POST"])
def acs():
    outstanding = session.pop("outstanding", {})
    try:
        answer = _client().parse_authn_request_response(
            request.form.get("SAMLResponse", ""), BINDING_HTTP_POST, outstanding
        )
    except StatusError:
        return _refused(i18n.gettext("The broker refused or cancelled the login."), 403)
    except Exception:  # pysaml2 raises many kinds for a bad answer; none may log anyone in
        current_app.logger.warning("invalid SAML response", exc_info=True)
        return _refused(i18n.gettext("The login answer was not valid."), 400)
    if answer is None:
        return _refused(i18n.gettext("The login answer was not valid."), 400)
    login = login_from_attributes(saml_client.identity(answer.ava), str(answer.name_id))
    if login is None:
        return _refused(
            i18n.gettext(
                "This application accepts only logins in your own name, as legal "
                "representative or as mandate manager of an organisation."
            ),
            403,
        )
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    remember(login)
    return redirect("/", 303)


@saml.route("/logout", methods=["POST"])
def logout():
    login = current_login()
    if login is None:
        return redirect("/", 303)
    result = _client().global_logout(name_id_from_string(login.name_id), sign_alg=saml_client.SHA256)
    session.pop("login", None)
    for _binding, http in result.values():
        return redirect(dict(http["headers"])["Location"], 303)
    return redirect("/", 303)


@saml.route("/saml/slo", methods=["GET"])
def slo():
    values = request.args
    if "SAMLResponse" in values:
        _client().parse_logout_request_response(values["SAMLResponse"], BINDING_HTTP_REDIRECT)
        session.pop("login", None)
        return render_template("logged_out.html")
    login = current_login()
    http = _client().handle_logout_request(
        values.get("SAMLRequest", ""),
        name_id_from_string(login.name_id) if login else None,
        BINDING_HTTP_REDIRECT,
        relay_state=values.get("RelayState"),
        sign=True,
        sign_alg=saml_client.SHA256,
        sigalg=values.get("SigAlg"),
        signature=values.get("Signature"),
    )
    session.pop("login", None)
    return redirect(dict(http["headers"])["Location"], 303)


@saml.route("/saml/metadata")
def metadata():
    return Response(saml_client.sp_metadata(_settings()), mimetype="application/samlmetadata+xml")


@saml.route("/healthz")
def healthz():
    return {"status": "ok"}


@saml.route("/readyz")
def readyz():
    try:
        current_app.extensions["selfservice_store"].db.execute("SELECT 1").fetchone()
    except Exception as error:  # any failure to reach SQLite means not ready
        return {"status": "unavailable", "store": str(error)}, 503
    return {"status": "ok", "store": "ok"}
