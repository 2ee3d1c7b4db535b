"""Structured (JSON) log lines (webserve.logs) with a request id and a login id that follows one
login across its requests. No SAML message bodies, no personal data: the audit trail holds what is
needed."""

import logging
import secrets

from flask import request, session

from webserve import logs


def configure(level: int = logging.INFO) -> None:
    logs.configure(logs.JsonFormatter(session_keys=("login_id",)), level)


def init_request_ids(app) -> None:
    logs.init_request_ids(app)

    @app.before_request
    def login_id():
        if request.endpoint == "saml.single_sign_on":
            session["login_id"] = secrets.token_hex(8)  # a new login starts here
