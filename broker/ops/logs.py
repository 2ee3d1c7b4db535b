"""Structured (JSON) log lines (webserve.logs) with a request id and a login id that follows one
login across its requests. No SAML message bodies, no personal data: the audit trail holds what is
needed.

One hook before each request and one after it, not webserve's two and the broker's two: the
request id (webserve.logs' own steps), the login id, and in the answer the request id
and the headers every answer carries (security headers: a view's own value stays)."""

import logging
import secrets

from flask import request, session

from webserve import logs

LOGIN_STARTS = "saml.single_sign_on"


def configure(level: int = logging.INFO) -> None:
    logs.configure(logs.JsonFormatter(session_keys=("login_id",)), level)


def init_request_ids(app, headers: dict[str, str] | None = None) -> None:
    """headers: added to every answer that has none of that name."""
    defaults = tuple((name.lower(), name, value) for name, value in (headers or {}).items())

    @app.before_request
    def request_ids():
        current = request._get_current_object()
        logs.take_request_id(current.headers)
        if current.endpoint == LOGIN_STARTS:
            session["login_id"] = secrets.token_hex(8)  # a new login starts here

    @app.after_request
    def answer_headers(response):
        logs.echo_request_id(response)
        if defaults:
            out = response.headers
            present = {name.lower() for name in out.keys()}  # a view may have set its own
            out.extend((name, value) for lower, name, value in defaults if lower not in present)
        return response
