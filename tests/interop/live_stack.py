"""The broker and the demo authenticator on real sockets (127.0.0.1, free ports), for service
providers of other ecosystems that run as their own processes and learn the broker only from its
published metadata (GET /saml/idp/metadata). Connecting an application means writing its metadata
and policy into the broker's folders and restarting the broker, as an operator does today; the
restart swaps the application behind the same socket."""

import os
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field

from werkzeug.serving import make_server

from broker import create_app
from demo.environment import copy_policies, free_port, prepare
from demo.upstream import create_upstream_app

POLICY = """entity_id: {entity}
mandate_types: [WSE Loket]
login:
  own_name: true
  work_relationship: true
  mandate: true
skip_single_option: true
encrypt_assertion: {encrypt}
"""


class Swappable:
    """A WSGI application whose target can be replaced: the broker's restart."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@dataclass
class LiveBroker:
    broker: str
    upstream: str
    config: dict
    front: Swappable
    servers: list
    processes: list = field(default_factory=list)
    app: str = ""  # the application the browser helpers log in at (tests/browser_ui/chrome.py)

    @property
    def idp_metadata_url(self) -> str:
        return self.broker + "/saml/idp/metadata"

    def connect(self, name: str, metadata: str, entity_id: str, encrypt: bool) -> None:
        """What an operator does for a new application: its metadata, its policy, a restart."""
        with open(os.path.join(self.config["METADATA_DIR"], name + ".xml"), "w", encoding="utf-8") as handle:
            handle.write(metadata)
        with open(os.path.join(self.config["POLICY_DIR"], name + ".yaml"), "w", encoding="utf-8") as handle:
            handle.write(POLICY.format(entity=entity_id, encrypt=str(encrypt).lower()))
        self.front.app = create_app(self.config)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(timeout=10)
        for server in self.servers:
            server.shutdown()


def start(workdir: str) -> LiveBroker:
    urls = {name: f"http://127.0.0.1:{free_port()}" for name in ("broker", "upstream", "unused_app")}
    policies = copy_policies(os.path.join(workdir, "policies"), urls["unused_app"])
    env = prepare(
        os.path.join(workdir, "demo"),
        broker_url=urls["broker"],
        upstream_url=urls["upstream"],
        application_url=urls["unused_app"],
        policy_dir=policies,
    )
    env.broker["SESSION_COOKIE_SECURE"] = False
    front = Swappable(create_app(env.broker))
    servers = []
    for name, app in (("broker", front), ("upstream", create_upstream_app(**env.upstream))):
        server = make_server("127.0.0.1", int(urls[name].rsplit(":", 1)[1]), app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return LiveBroker(urls["broker"], urls["upstream"], env.broker, front, servers)


def run_until_ready(live: LiveBroker, command: list[str], cwd: str | None = None, env: dict | None = None):
    """Start a service provider's process and wait for its "ready" line (its stderr on failure)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    live.processes.append(process)
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.wait(timeout=10)
        raise AssertionError(f"{command[0]} did not start: {line}{process.stderr.read()}")
    return process


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode("utf-8")


def start_logged(live: LiveBroker, command: list[str], log_path: str, port: int, env: dict | None = None):
    """Start a server whose output goes to `log_path`, and wait until it accepts connections."""
    log = open(log_path, "w")
    # a process group of its own: Apache's prefork parent, told to stop, signals its whole group
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    live.processes.append(process)
    for _ in range(200):
        if process.poll() is not None:
            raise AssertionError(f"{command[0]} stopped: {open(log_path).read()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    raise AssertionError(f"{command[0]} does not listen on {port}: {open(log_path).read()}")


def choose(chrome, party: str, target: str) -> None:
    """On the broker's chooser, pick `party`'s card and arrive at `target`; the card is looked up
    again while the chooser's document is still being replaced (the POST-redirect-GET before it)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    chrome.wait_url(chrome.live.broker + "/choose/")
    card = WebDriverWait(chrome.driver, 15, ignored_exceptions=(WebDriverException,)).until(
        lambda _: chrome.card(party)
    )
    chrome.follow(card, target)
