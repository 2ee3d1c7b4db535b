"""The demo upstream authenticator: a small pysaml2 IdP where one picks a test person.

NOT FOR PRODUCTION: anyone can log in as anyone. It stands in for eID, itsme, app codes …
"""

import html

from flask import Flask, Response, redirect, request, session
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

from demo.entities import DIGEST_SHA256, SHA256, base_config, load, with_backend

MEANS = {
    "eid": ("eID-kaart", "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"),
    "app": ("Mobiele app", "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"),
}


def upstream_config(base_url: str, key: str, cert: str, metadata_files: list[str]) -> dict:
    config = base_config(base_url + "/metadata", key, cert, metadata_files)
    config["service"] = {
        "idp": {
            "name": "Demo authenticator (NOT FOR PRODUCTION)",
            "endpoints": {
                "single_sign_on_service": [
                    (base_url + "/sso", BINDING_HTTP_REDIRECT),
                    (base_url + "/sso", BINDING_HTTP_POST),
                ],
                "single_logout_service": [(base_url + "/slo", BINDING_HTTP_REDIRECT)],
            },
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "sign_response": True,
            "sign_assertion": True,
            "want_authn_requests_signed": True,
            "policy": {
                "default": {
                    "lifetime": {"minutes": 5},
                    "attribute_restrictions": None,
                    "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                }
            },
        }
    }
    return config


PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Demo-authenticator</title></head>
<body style="font-family:sans-serif;max-width:44rem;margin:2rem auto">
<p style="background:#fde68a;padding:.5rem"><strong>DEMO – NIET VOOR PRODUCTIE.</strong> Kies een testpersoon.</p>
<h1>Aanmelden bij de demo-authenticator</h1><form method="post" action="login">
<fieldset><legend>Testpersoon</legend>{persons}</fieldset>
<fieldset><legend>Aanmeldmiddel</legend>{means}</fieldset>
<button type="submit">Aanmelden</button>
<button type="submit" name="refuse" value="AuthnFailed" formnovalidate>Annuleren</button></form></body></html>"""


def create_upstream_app(
    base_url: str,
    key: str,
    cert: str,
    metadata_files: list[str],
    persons: list[dict],
    secret_key: str,
    sign_response: bool = True,
    sign_assertion: bool = True,
) -> Flask:
    """`persons`: dicts with number, given_name, family_name and a note on what they will see.
    `sign_response`/`sign_assertion`: which elements of its answers it signs (to test UPSTREAM_SIGNED)."""
    app = Flask("demo_upstream")
    app.config.update(SECRET_KEY=secret_key, SESSION_COOKIE_NAME="demo_idp_session")
    server = with_backend(Server(config=load(upstream_config(base_url, key, cert, metadata_files), "idp")))
    by_number = {p["number"]: p for p in persons}

    @app.route("/metadata")
    def metadata():
        from saml2.metadata import entity_descriptor

        return Response(str(entity_descriptor(server.config)), mimetype="application/samlmetadata+xml")

    @app.route("/sso", methods=["GET", "POST"])
    def sso():
        values = request.form if request.method == "POST" else request.args
        binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
        parsed = server.parse_authn_request(
            values["SAMLRequest"],
            binding,
            relay_state=values.get("RelayState"),
            sigalg=values.get("SigAlg"),
            signature=values.get("Signature"),
        )
        message = parsed.message
        session["request"] = {
            "id": message.id,
            "sp": message.issuer.text,
            "acs": message.assertion_consumer_service_url,
            "relay": values.get("RelayState"),
        }
        persons_html = "".join(
            f'<p><label><input type="radio" name="person" value="{html.escape(p["number"])}" required> '
            f"{html.escape(p['given_name'])} {html.escape(p['family_name'])} ({html.escape(p['number'])}) "
            f"– <small>{html.escape(p.get('note', ''))}</small></label></p>"
            for p in persons
        )
        means_html = "".join(
            f'<p><label><input type="radio" name="means" value="{k}" {"checked" if k == "eid" else ""}> {v[0]}</label></p>'
            for k, v in MEANS.items()
        )
        return PAGE.format(persons=persons_html, means=means_html)

    @app.route("/login", methods=["POST"])
    def login():
        pending = session.pop("request", None)
        refused = request.form.get("refuse")
        if pending is not None and refused:  # cancelled (or, in tests, any status the IdP may answer)
            status = "urn:oasis:names:tc:SAML:2.0:status:" + refused
            response = server.create_error_response(
                pending["id"],
                pending["acs"],
                (status, "Aanmelden geannuleerd"),
                sign=sign_response,
                sign_alg=SHA256,
                digest_alg=DIGEST_SHA256,
            )
            http = server.apply_binding(
                BINDING_HTTP_POST, str(response), pending["acs"], pending["relay"], response=True
            )
            return http["data"]
        person = by_number.get(request.form.get("person", ""))
        if pending is None or person is None:
            return "Geen openstaande aanvraag of onbekende persoon.", 400
        _, class_ref = MEANS.get(request.form.get("means", "eid"), MEANS["eid"])
        identity = {
            "urn:be:fgov:person:ssin": [person["number"]],
            "givenName": [person["given_name"]],
            "sn": [person["family_name"]],
        }
        response = server.create_authn_response(
            identity,
            in_response_to=pending["id"],
            destination=pending["acs"],
            sp_entity_id=pending["sp"],
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="demo-" + person["number"]),
            authn={"class_ref": class_ref, "authn_auth": server.config.entityid},
            sign_response=sign_response,
            sign_assertion=sign_assertion,
            sign_alg=SHA256,
            digest_alg=DIGEST_SHA256,
        )
        http = server.apply_binding(BINDING_HTTP_POST, str(response), pending["acs"], pending["relay"], response=True)
        return http["data"]

    @app.route("/slo", methods=["GET", "POST"])
    def slo():
        values = request.form if request.method == "POST" else request.args
        binding = BINDING_HTTP_POST if request.method == "POST" else BINDING_HTTP_REDIRECT
        parsed = server.parse_logout_request(
            values["SAMLRequest"],
            binding,
            relay_state=values.get("RelayState"),
            sigalg=values.get("SigAlg"),
            signature=values.get("Signature"),
        )
        answer = server.create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT], sign=False)
        destination = server.metadata.single_logout_service(parsed.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso")[
            0
        ]["location"]
        http = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(answer),
            destination,
            values.get("RelayState"),
            response=True,
            sign=True,
            sigalg=SHA256,
        )
        return redirect(dict(http["headers"])["Location"], 303)

    return app
