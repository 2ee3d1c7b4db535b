"""`broker serve` for real: gunicorn processes on loopback, the demo authenticator and application
on live sockets, a full login whose every broker request lands on another process."""

import os
import signal
import subprocess
import threading
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from demo.application import create_application_app
from demo.environment import copy_policies, free_port, prepare, write_broker_config
from demo.upstream import create_upstream_app
from mandates_store import demo_data as d
from tests.serve.nodes import BROKER_CMD, NodeBrowser, signed_in, wait_until_up


@pytest.fixture
def live(tmp_path):
    """Two separate `broker serve` processes (two workers on a, one on b) on one SQLite state, plus the demo
    authenticator and application on live sockets."""
    a, b, up, app = (free_port() for _ in range(4))
    broker_url, upstream_url, app_url = f"http://localhost:{a}", f"http://localhost:{up}", f"http://localhost:{app}"
    policies = copy_policies(str(tmp_path / "policies"), app_url)
    env = prepare(
        str(tmp_path / "demo"),
        broker_url=broker_url,
        upstream_url=upstream_url,
        application_url=app_url,
        policy_dir=policies,
    )
    env.broker["SESSION_COOKIE_SECURE"] = False
    processes = []
    for port in (a, b):
        config = str(tmp_path / f"broker-{port}.toml")
        secrets = write_broker_config(env, config, bind=f"127.0.0.1:{port}", workers=2 if port == a else 1)
        processes.append(
            subprocess.Popen(
                [BROKER_CMD, "serve", "--config", config], env=dict(os.environ, **secrets), start_new_session=True
            )
        )
    servers = [
        make_server("127.0.0.1", up, create_upstream_app(**env.upstream), threaded=True),
        make_server("127.0.0.1", app, create_application_app(**env.application), threaded=True),
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for port in (a, b):
            wait_until_up(f"http://127.0.0.1:{port}/healthz")
        yield {"ports": (a, b), "app": app_url, "upstream": upstream_url, "broker": broker_url, "processes": processes}
    finally:
        for server in servers:
            server.shutdown()
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)


def test_a_login_across_processes_and_a_replay_on_the_other(live):
    browser = NodeBrowser(live["ports"], live["upstream"])
    posted = []
    page, doc = browser.login_upstream(live["app"], d.PERSON_EXECUTOR, keep=posted)
    assert "/choose/" in page.url
    page, _ = browser.choose(page, doc, d.EMMAUS)
    assert page.url == live["app"] + "/" and signed_in(page, "LegalSubjectID", d.EMMAUS)
    assert set(browser.served_by) == set(live["ports"]), "both processes served this login"

    # the upstream answer, replayed on each broker process: refused by both
    acs_url, upstream_answer, _ = next(p for p in posted if p[0].endswith("/saml/sp/acs"))
    for port in live["ports"]:
        replay = requests.post(
            acs_url.replace(urlsplit(acs_url).netloc, f"localhost:{port}"),
            data=upstream_answer,
            cookies=browser.session.cookies,
            timeout=20,
        )
        assert replay.status_code == 400


def test_health_readiness_and_metrics_over_workers(live):
    a, b = live["ports"]
    assert requests.get(f"http://127.0.0.1:{a}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"http://127.0.0.1:{a}/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "state_db": "ok",
        "store_db": "ok",
        "disk_space": "ok",
        "metadata": "ok",
        "policies": "ok",
        "signing_key": "ok",
    }
    for _ in range(3):  # three refusals spread over the process's workers
        requests.get(f"http://127.0.0.1:{a}/saml/idp/sso?SAMLRequest=%%%", timeout=5)
    metrics = requests.get(f"http://127.0.0.1:{a}/metrics", timeout=5).text
    refused = [line for line in metrics.splitlines() if line.startswith("broker_logins_refused_total{")]
    assert refused and sum(float(line.rsplit(" ", 1)[1]) for line in refused) == 3.0
