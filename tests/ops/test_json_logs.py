"""The broker's JSON log lines (broker/ops/logs.py on webserve.logs): each request's id, echoed in
the answer, and a login id that follows one login across its requests and changes with the next."""

import io
import json
import logging

from flask import Blueprint, Flask

from broker.ops.logs import configure, init_request_ids


def broker_like_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "test"
    saml = Blueprint("saml", __name__)  # a login starts at saml.single_sign_on, as in broker/web/views.py

    @saml.route("/sso")
    def single_sign_on():
        logging.getLogger("broker.test").info("sso")
        return ""

    @saml.route("/acs")
    def assertion_consumer_service():
        logging.getLogger("broker.test").warning("acs")
        return ""

    app.register_blueprint(saml)
    init_request_ids(app)
    return app


def test_a_logins_lines_carry_its_login_id_and_each_request_its_own_id(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # configure() replaces them: pytest's come back
    level = root.level
    try:
        configure()
        stream = io.StringIO()
        root.handlers[0].setStream(stream)
        client = broker_like_app().test_client()
        assert client.get("/sso", headers={"X-Request-ID": "probe-1"}).headers["X-Request-ID"] == "probe-1"
        echoed = client.get("/acs").headers["X-Request-ID"]
        client.get("/sso")
    finally:
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["level"], line["logger"], line["message"], line["path"]) for line in lines] == [
        ("INFO", "broker.test", "sso", "/sso"),
        ("WARNING", "broker.test", "acs", "/acs"),
        ("INFO", "broker.test", "sso", "/sso"),
    ]
    assert list(lines[0]) == ["time", "level", "logger", "message", "request_id", "login_id", "path"]
    assert lines[0]["request_id"] == "probe-1" and lines[1]["request_id"] == echoed != "probe-1"
    assert lines[0]["login_id"] == lines[1]["login_id"] != lines[2]["login_id"]
    assert len(lines[0]["login_id"]) == 16
