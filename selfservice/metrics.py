"""Prometheus metrics of Mandatenbeheer at /metrics. Under `selfservice serve` every worker writes to
PROMETHEUS_MULTIPROC_DIR and /metrics adds them up, so the figures hold for the whole service.

prometheus_client picks its multi-process mode when first imported: import this module only from
create_app (selfservice.serve sets the folder before that)."""

import os
import time

from flask import Blueprint, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("selfservice_requests_total", "Requests answered", ["endpoint", "status"])
REQUEST_TIME = Histogram(
    "selfservice_request_seconds",
    "Server time of one request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
BULK_IMPORTS = Counter(
    "selfservice_bulk_imports_total", "Background bulk imports, by how they ended", ["start", "outcome"]
)
BULK_LINES = Counter("selfservice_bulk_lines_total", "Lines of finished bulk imports", ["result"])

ops = Blueprint("ops", __name__)


@ops.route("/metrics")
def metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def init_app(app) -> None:
    app.register_blueprint(ops)

    @app.before_request
    def started():
        g.started = time.perf_counter()

    @app.after_request
    def answered(response):
        endpoint = request.endpoint or "none"  # a 404 has no endpoint: one label, not one per URL
        REQUESTS.labels(endpoint, str(response.status_code)).inc()
        if "started" in g:
            REQUEST_TIME.labels(endpoint).observe(time.perf_counter() - g.started)
        return response
