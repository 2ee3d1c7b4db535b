"""An application on OneLogin's python3-saml (not pysaml2), configured only from exchanged metadata."""

import base64

from flask import Flask, redirect, request, session
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings


def sp_settings(base_url: str, key_path: str, cert_path: str, encrypted: bool, signed: str) -> dict:
    """`signed`: what the SP demands signed: "response", "assertion" or "both"."""
    return {
        "strict": True,
        "sp": {
            "entityId": base_url + "/metadata",
            "assertionConsumerService": {"url": base_url + "/acs", "binding": C.BINDING_HTTP_POST},
            "NameIDFormat": C.NAMEID_PERSISTENT,
            "x509cert": open(cert_path).read(),
            "privateKey": open(key_path).read(),
        },
        "security": {
            "authnRequestsSigned": True,
            "wantMessagesSigned": signed in ("response", "both"),
            "wantAssertionsSigned": signed in ("assertion", "both"),
            "wantAssertionsEncrypted": encrypted,
            "signatureAlgorithm": C.RSA_SHA256,
            "digestAlgorithm": C.SHA256,
            "requestedAuthnContext": False,
            "rejectDeprecatedAlgorithm": True,
        },
    }


def sp_metadata(settings: dict) -> str:
    """What the operator hands to the broker: python3-saml's own SP metadata."""
    metadata = OneLogin_Saml2_Settings(settings, sp_validation_only=True).get_sp_metadata()
    return metadata.decode("utf-8") if isinstance(metadata, bytes) else metadata


def create_onelogin_app(settings: dict, broker_idp_metadata: str, secret_key: str) -> Flask:
    # the IdP side comes only from the broker's published metadata
    idp = OneLogin_Saml2_IdPMetadataParser.parse(broker_idp_metadata)
    full = OneLogin_Saml2_IdPMetadataParser.merge_settings(settings, idp)
    app = Flask("onelogin_sp")
    app.config.update(SECRET_KEY=secret_key, SESSION_COOKIE_NAME="onelogin_session")
    app.extensions["posted"] = []  # every SAMLResponse as it arrived (XML), for the tests to inspect

    def auth() -> OneLogin_Saml2_Auth:
        data = {
            "https": "off",
            "http_host": request.host,
            "script_name": request.path,
            "get_data": request.args.copy(),
            "post_data": request.form.copy(),
        }
        return OneLogin_Saml2_Auth(data, full)

    @app.route("/login")
    def login():
        saml = auth()
        url = saml.login(return_to="/")
        session["request_id"] = saml.get_last_request_id()
        return redirect(url, 303)

    @app.route("/acs", methods=["POST"])
    def acs():
        app.extensions["posted"].append(base64.b64decode(request.form["SAMLResponse"]))
        saml = auth()
        saml.process_response(request_id=session.pop("request_id", None))
        if saml.get_errors() or not saml.is_authenticated():
            return f"refused: {saml.get_errors()} {saml.get_last_error_reason()}", 400
        session["attributes"] = saml.get_attributes()
        session["name_id"] = saml.get_nameid()
        return redirect("/", 303)

    @app.route("/")
    def home():
        return "signed in" if session.get("attributes") else "anonymous"

    return app
