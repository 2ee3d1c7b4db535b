"""Structured (JSON) log lines, each with the request's id (X-Request-ID, echoed in the answer) and
its path. The applications say which further values their lines carry."""

import json
import logging
import secrets
import time

from flask import g, has_request_context, request, session


class JsonFormatter(logging.Formatter):
    """session_keys: values of the cookie session a request's lines carry (the broker's login id);
    record_keys: values a record may carry (logging's extra={...})."""

    def __init__(self, session_keys: tuple[str, ...] = (), record_keys: tuple[str, ...] = ()):
        super().__init__()
        self.session_keys, self.record_keys = session_keys, record_keys

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            line["request_id"] = getattr(g, "request_id", None)
            for key in self.session_keys:
                line[key] = session.get(key)
            line["path"] = request.path
        for key in self.record_keys:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(line, ensure_ascii=False)


def configure(formatter: logging.Formatter, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def take_request_id(headers) -> None:
    """This request's id (g.request_id): the caller's X-Request-ID (at most 64 characters) or a new one."""
    g.request_id = headers.get("X-Request-ID", "")[:64] or secrets.token_hex(8)


def echo_request_id(response) -> None:
    response.headers["X-Request-ID"] = g.get("request_id", "")


def init_request_ids(app) -> None:
    @app.before_request
    def request_id():
        take_request_id(request.headers)

    @app.after_request
    def echo(response):
        echo_request_id(response)
        return response
