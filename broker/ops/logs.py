"""Structured (JSON) log lines with a request id and a login id that follows one login across
its requests. No SAML message bodies, no personal data: the audit trail holds what is needed."""

import json
import logging
import secrets
import time

from flask import g, has_request_context, request, session


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            line["request_id"] = getattr(g, "request_id", None)
            line["login_id"] = session.get("login_id")
            line["path"] = request.path
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False)


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def init_request_ids(app) -> None:
    @app.before_request
    def request_id():
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or secrets.token_hex(8)
        if request.endpoint == "saml.single_sign_on":
            session["login_id"] = secrets.token_hex(8)  # a new login starts here

    @app.after_request
    def echo(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
