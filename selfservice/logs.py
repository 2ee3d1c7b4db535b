"""Structured (JSON) log lines for `selfservice serve`, each with the request's id (X-Request-ID,
echoed in the answer). No personal data: no national numbers, names, e-mail addresses or CSV lines.

The same shape as the broker's log lines, written here because this application never imports the
broker (tests/test_layers.py)."""

import json
import logging
import secrets
import time

from flask import g, has_request_context, request


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
            line["path"] = request.path
        for key in ("operation", "lines_ok", "lines_failed", "status"):  # extra={...} of bulk imports
            if hasattr(record, key):
                line[key] = getattr(record, key)
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

    @app.after_request
    def echo(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
