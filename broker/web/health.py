"""/healthz (the process answers), /readyz (it can serve logins), /metrics (Prometheus)."""

from flask import Blueprint, current_app, jsonify

from broker.metrics import exposition
from broker.web import readiness

health = Blueprint("health", __name__)


@health.route("/healthz")
def healthz():
    return jsonify(status="ok")


@health.route("/readyz")
def readyz():
    checks = readiness.checks(current_app.extensions)
    failing = [name for name, value in checks.items() if value != "ok"]
    body = dict(status="not ready" if failing else "ready", checks=checks, failing=failing)
    return jsonify(body), 503 if failing else 200


@health.route("/metrics")
def metrics():
    body, content_type = exposition()
    return current_app.response_class(body, mimetype=content_type.split(";")[0], content_type=content_type)
