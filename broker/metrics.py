"""Prometheus metrics. Under `broker serve` every worker writes to PROMETHEUS_MULTIPROC_DIR and
/metrics adds them up, so the figures hold for the whole service, not one process."""

import os
import time
from contextlib import contextmanager

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

LOGINS_STARTED = Counter("broker_logins_started_total", "AuthnRequests accepted", ["application"])
# Issued, not delivered: the broker cannot see the browser post the assertion to the application.
ASSERTIONS_ISSUED = Counter(
    "broker_assertions_issued_total",
    "Assertions issued to applications (committed and sent; delivery is the application's side)",
    ["application", "kind"],
)
LOGINS_REFUSED = Counter("broker_logins_refused_total", "Requests refused", ["endpoint", "reason"])
CHOOSER_SHOWN = Counter("broker_chooser_shown_total", "Chooser pages shown", ["application"])
UPSTREAM_LATENCY = Histogram(
    "broker_upstream_latency_seconds",
    "From the upstream request to its answer",
    buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300),
)
SIGNING_TIME = Histogram(
    "broker_signing_seconds",
    "Building and signing one Response",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1),
)
STORE_QUERY_TIME = Histogram(
    "broker_store_query_seconds",
    "Computing one person's login options",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5),
)


@contextmanager
def timed(histogram):
    start = time.perf_counter()
    try:
        yield
    finally:
        histogram.observe(time.perf_counter() - start)


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
