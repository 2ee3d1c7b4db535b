"""/healthz (the process answers), /readyz (it can serve logins), /metrics (Prometheus)."""

import datetime

from cryptography import x509
from flask import Blueprint, current_app, jsonify

from broker.metrics import exposition

health = Blueprint("health", __name__)
KEY_WARNING = datetime.timedelta(days=30)


@health.route("/healthz")
def healthz():
    return jsonify(status="ok")


def _checks() -> dict[str, str]:
    ext = current_app.extensions
    checks = {}
    try:
        ext["state"].conn.execute("SELECT 1").fetchone()
        ext["store"].db.execute("SELECT 1").fetchone()
        checks["store"] = "ok"
    except Exception as exc:  # any failure to reach SQLite means not ready
        checks["store"] = f"unreachable: {exc}"
    metadata = ext["metadata"]
    upstream = metadata.identity_provider(ext["saml_settings"].upstream_entity_id)
    checks["metadata"] = "ok" if upstream and metadata.service_providers else "upstream or applications missing"
    if metadata.folder_errors:  # like the policies: a refused file is a problem even with its last good copy
        checks["metadata"] = f"{len(metadata.folder_errors)} files refused"
    policies = ext["policies"]
    policies.refresh()
    checks["policies"] = "ok" if policies.all() and not policies.errors else f"{len(policies.errors)} problems"
    pem = open(current_app.extensions["settings"].signing_cert, "rb").read()
    expires = x509.load_pem_x509_certificate(pem).not_valid_after_utc
    left = expires - datetime.datetime.now(datetime.UTC)
    checks["signing_key"] = "ok" if left > KEY_WARNING else f"expires {expires:%Y-%m-%d}"
    return checks


@health.route("/readyz")
def readyz():
    checks = _checks()
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@health.route("/metrics")
def metrics():
    body, content_type = exposition()
    return current_app.response_class(body, mimetype=content_type.split(";")[0], content_type=content_type)
