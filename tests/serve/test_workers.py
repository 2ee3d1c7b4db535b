"""`broker serve` for real: gunicorn processes on loopback, the demo authenticator and application
on live sockets, a full login whose every broker request lands on another process."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
import pytest
import requests
from werkzeug.serving import make_server

from demo.application import create_application_app
from demo.environment import copy_policies, free_port, prepare, write_broker_config
from demo.upstream import create_upstream_app
from mandates_store import demo_data as d

BROKER_CMD = os.path.join(os.path.dirname(sys.executable), "broker")


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


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
        yield {"ports": (a, b), "app": app_url, "broker": broker_url, "processes": processes}
    finally:
        for server in servers:
            server.shutdown()
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)


class AlternatingBrowser:
    """Sends each broker request to the other broker process in turn (cookies are per host, not
    per port, so the browser session is the same)."""

    def __init__(self, broker_ports):
        self.session = requests.Session()
        self.ports = broker_ports
        self.turn = 0
        self.served_by: list[int] = []

    def _route(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.port in self.ports:
            port = self.ports[self.turn % 2]
            self.turn += 1
            self.served_by.append(port)
            return urlunsplit(parts._replace(netloc=f"localhost:{port}"))
        return url

    def request(self, method, url, data=None):
        response = self.session.request(method, self._route(url), data=data, allow_redirects=False, timeout=20)
        while response.status_code in (302, 303):
            response = self.session.get(
                self._route(urljoin(response.url, response.headers["Location"])), allow_redirects=False, timeout=20
            )
        return response

    def autopost(self, response, keep=None):
        for _ in range(10):
            doc = lxml.html.fromstring(response.text or "<html/>")
            names = {i.name for i in doc.forms[0].inputs if i.name} if len(doc.forms) == 1 else set()
            if not names & {"SAMLRequest", "SAMLResponse"}:
                return response, doc
            form = doc.forms[0]
            data = dict(form.form_values())
            if keep is not None:
                keep.append((urljoin(response.url, form.action), data))
            response = self.request("POST", urljoin(response.url, form.action), data)
        raise AssertionError("too many auto-posts")


def test_a_login_across_processes_and_a_replay_on_the_other(live):
    browser = AlternatingBrowser(live["ports"])
    page = browser.request("GET", live["app"] + "/login")
    assert "demo-authenticator" in page.text.lower() or "testpersoon" in page.text.lower()
    posted = []
    page, doc = browser.autopost(
        browser.request("POST", urljoin(page.url, "login"), {"person": d.PERSON_EXECUTOR, "means": "eid"}), keep=posted
    )
    assert "/choose/" in page.url
    form = doc.forms[-1]
    emmaus = doc.xpath(f"//li[@class='card'][.//*[@class='number' and text()='{d.EMMAUS}']]//button/@value")[0]
    data = dict(form.form_values(), option=emmaus)
    page, doc = browser.autopost(browser.request("POST", page.url, data))
    assert page.url == live["app"] + "/"
    assert re.search(r"LegalSubjectID</th><td>" + d.EMMAUS, page.text)
    assert set(browser.served_by) == set(live["ports"]), "both processes served this login"

    # the upstream answer, replayed on each broker process: refused by both
    acs_url, upstream_answer = next((u, f) for u, f in posted if u.endswith("/saml/sp/acs"))
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
