"""The demo application: a small pysaml2 SP that shows every attribute it received."""

import base64
import html

from flask import Flask, redirect, request, session
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, ExtensionElement
from saml2.client import Saml2Client
from saml2.response import StatusError
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef
from saml2.samlp import Extensions, RequestedAuthnContext, response_from_string

from demo.entities import SHA256, base_config, load, with_backend

MB = "urn:mandaatbroker:1.0"
STATUS_PREFIX = "urn:oasis:names:tc:SAML:2.0:status:"
# What an application shows for the broker's refusals (the second-level status code), in words.
STATUS_WORDS = {
    "RequestDenied": "De aanmelding werd geweigerd of geannuleerd.",
    "NoPassive": "Aanmelden zonder tussenkomst was niet mogelijk: meld u opnieuw aan.",
    "AuthnFailed": "De aanmelding is mislukt.",
    "NoAuthnContext": "Het gevraagde aanmeldniveau kon niet worden geboden.",
    "RequestUnsupported": "De aanvraag wordt niet ondersteund.",
}


def application_config(base_url: str, key: str, cert: str, metadata_files: list[str], broker_idp: str) -> dict:
    config = base_config(base_url + "/saml/metadata", key, cert, metadata_files)
    config["allow_unknown_attributes"] = True
    config["service"] = {
        "sp": {
            "name": "Demo e-loket",
            "endpoints": {
                "assertion_consumer_service": [(base_url + "/saml/acs", BINDING_HTTP_POST)],
                "single_logout_service": [(base_url + "/saml/slo", BINDING_HTTP_REDIRECT)],
            },
            "idp": [broker_idp],
            "name_id_format": NAMEID_FORMAT_PERSISTENT,
            "authn_requests_signed": True,
            "logout_requests_signed": True,
            "want_response_signed": True,
            "want_assertions_signed": True,
            "allow_unsolicited": False,
        }
    }
    return config


def broker_extensions(args) -> Extensions | None:
    """The broker's AuthnRequest extensions (namespace urn:mandaatbroker:1.0) the demo can send."""
    found = [
        ExtensionElement(name, namespace=MB, text=args[key])
        for key, name in (("giver", "RequestedLegalSubject"), ("taker", "RequestedIntermediateSubject"))
        if args.get(key)
    ]
    if args.get("switch"):
        found.append(ExtensionElement("Switch", namespace=MB))
    return Extensions(extension_elements=found) if found else None


def requested_context(args) -> dict:
    """?context=URI[&comparison=minimum]: a RequestedAuthnContext (README "Levels of assurance")."""
    if not args.get("context"):
        return {}
    refs = [AuthnContextClassRef(text=ref) for ref in args.getlist("context")]
    wanted = RequestedAuthnContext(authn_context_class_ref=refs, comparison=args.get("comparison", "exact"))
    return {"requested_authn_context": wanted}


def status_words(saml_response: str) -> str:
    """The refusal's status as words and its message (escaped), never the raw status XML. The
    response was already checked by pysaml2, which raised StatusError for it."""
    status = response_from_string(base64.b64decode(saml_response)).status
    codes = [status.status_code.value]
    if status.status_code.status_code is not None:
        codes.append(status.status_code.status_code.value)
    code = codes[-1].removeprefix(STATUS_PREFIX)
    words = STATUS_WORDS.get(code, "De aanmelding is niet gelukt.")
    message = status.status_message.text if status.status_message is not None else ""
    detail = f"<p>Reden: {html.escape(message)}</p>" if message else ""
    return f"<p>{html.escape(words)}</p>{detail}<p>Statuscode: <code>{html.escape(code)}</code></p>"


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Demo e-loket</title></head>'
        '<body style="font-family:sans-serif;max-width:50rem;margin:2rem auto">'
        '<p style="background:#dbeafe;padding:.5rem">Demo-toepassing (SAML SP) achter de mandaatbroker.</p>'
        f"{body}</body></html>"
    )


def create_application_app(
    base_url: str,
    key: str,
    cert: str,
    metadata_files: list[str],
    broker_idp: str,
    secret_key: str,
    cookie_name: str = "demo_app_session",
) -> Flask:
    app = Flask("demo_application")
    app.config.update(SECRET_KEY=secret_key, SESSION_COOKIE_NAME=cookie_name)
    client = with_backend(
        Saml2Client(config=load(application_config(base_url, key, cert, metadata_files, broker_idp), "sp"))
    )
    app.extensions["saml_client"] = client

    @app.route("/")
    def home():
        received = session.get("attributes")
        if not received:
            return _page('<h1>Demo e-loket</h1><p><a href="/login">Aanmelden via de mandaatbroker</a></p>')
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(name)}</th><td>{html.escape(', '.join(values))}</td></tr>"
            for name, values in sorted(received.items())
        )
        return _page(
            "<h1>Aangemeld</h1>"
            f"<p>NameID: <code>{html.escape(session.get('name_id', ''))}</code></p>"
            f"<table><caption>Ontvangen attributen</caption>{rows}</table>"
            '<p><a href="/login?switch=1">Wissel van organisatie</a> · <a href="/logout">Afmelden</a></p>'
        )

    @app.route("/login")
    def login():
        # ?switch=1 ("Wissel van organisatie"), ?giver=…&taker=… (directed login): README "Directed login"
        request_id, info = client.prepare_for_authenticate(
            entityid=broker_idp,
            relay_state="/",
            binding=BINDING_HTTP_REDIRECT,
            sigalg=SHA256,
            extensions=broker_extensions(request.args),
            **requested_context(request.args),
        )
        session["outstanding"] = {request_id: "/"}
        return redirect(dict(info["headers"])["Location"], 303)

    @app.route("/saml/acs", methods=["POST"])
    def acs():
        outstanding = session.pop("outstanding", {})
        try:
            answer = client.parse_authn_request_response(request.form["SAMLResponse"], BINDING_HTTP_POST, outstanding)
        except StatusError:
            return _page("<h1>Aanmelden geweigerd</h1>" + status_words(request.form["SAMLResponse"])), 403
        if answer is None:
            return _page("<h1>Ongeldig antwoord</h1>"), 400
        session["attributes"] = {k: [str(v) for v in vs] for k, vs in answer.ava.items()}
        session["name_id"] = answer.name_id.text
        session["name_id_str"] = str(answer.name_id)
        return redirect("/", 303)

    @app.route("/logout")
    def logout():
        from saml2.saml import name_id_from_string

        name_id = name_id_from_string(session.get("name_id_str", ""))
        result = client.global_logout(name_id, sign_alg=SHA256)
        session.clear()
        for _binding, http in result.values():
            return redirect(dict(http["headers"])["Location"], 303)
        return redirect("/", 303)

    @app.route("/saml/slo", methods=["GET", "POST"])
    def slo():
        values = request.form if request.method == "POST" else request.args
        binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
        if "SAMLResponse" in values:
            client.parse_logout_request_response(values["SAMLResponse"], binding)
            session.clear()
            return _page("<h1>Afgemeld</h1><p><a href='/'>Opnieuw</a></p>")
        from saml2.saml import name_id_from_string

        http = client.handle_logout_request(
            values["SAMLRequest"],
            name_id_from_string(session.get("name_id_str", "")),
            binding,
            relay_state=values.get("RelayState"),
            sign=True,
            sign_alg=SHA256,
            sigalg=values.get("SigAlg"),
            signature=values.get("Signature"),
        )
        session.clear()
        return redirect(dict(http["headers"])["Location"], 303)

    return app
