"""Driving logins over live sockets against several `broker serve` processes (tests/serve and
bench/nodes.py): a browser whose broker requests a load balancer without sticky sessions spreads over
the processes, and a node's own working folder."""

import os
import shutil
import sys
import time
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
import requests

BROKER_CMD = os.path.join(os.path.dirname(sys.executable), "broker")


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:  # refused while it binds, or a slow answer under load
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def node_folder(root, demo_dir: str, policies: str, name: str) -> str:
    """A node's own copy of the demo's keys, metadata and policies (its var/ it makes itself)."""
    folder = os.path.join(str(root), name)
    shutil.copytree(demo_dir, folder, ignore=shutil.ignore_patterns("var", "peer-metadata", "secrets.json"))
    shutil.copytree(policies, os.path.join(folder, "policies"))
    return folder


def node_settings(broker: dict, demo_dir: str, folder: str, **changes) -> dict:
    """The demo broker's settings with every path under `demo_dir` moved to the node's `folder`."""
    settings = {k: v.replace(demo_dir, folder) if isinstance(v, str) else v for k, v in broker.items()}
    settings.update(POLICY_DIR=os.path.join(folder, "policies"), SESSION_COOKIE_SECURE=False, **changes)
    return settings


class NodeBrowser:
    """One browser (one cookie jar: cookies are per host, not per port) whose broker requests go to
    the `ports` in turn, or all to one (`pin`), as a load balancer without sticky sessions might."""

    def __init__(self, ports, upstream: str | None = None, pin: int | None = None, timeout: float = 30):
        self.session = requests.Session()
        self.ports, self.upstream, self.pin, self.timeout = tuple(ports), upstream, pin, timeout
        self.turn = 0
        self.served_by: list[int] = []
        self.visits: list[str] = []

    def _route(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.port in self.ports:
            port = self.pin or self.ports[self.turn % len(self.ports)]
            self.turn += 1
            self.served_by.append(port)
            url = urlunsplit(parts._replace(netloc=f"localhost:{port}"))
        self.visits.append(url)
        return url

    def request(self, method, url, data=None):
        response = self.session.request(
            method, self._route(url), data=data, allow_redirects=False, timeout=self.timeout
        )
        while response.status_code in (302, 303):
            location = self._route(urljoin(response.url, response.headers["Location"]))
            response = self.session.get(location, allow_redirects=False, timeout=self.timeout)
        return response

    def autopost(self, response, keep=None):
        """Submit the SAML auto-post forms (the broker's, the authenticator's, the applications');
        `keep` collects each (action, fields, how many broker requests came before it)."""
        for _ in range(10):
            doc = lxml.html.fromstring(response.text or "<html/>")
            names = {i.name for i in doc.forms[0].inputs if i.name} if len(doc.forms) == 1 else set()
            if not names & {"SAMLRequest", "SAMLResponse"}:
                here = doc.xpath("string(//body/@data-location)")
                if here:  # what broker/static/location.js does in a browser
                    response.url = urljoin(response.url, here)
                return response, doc
            form = doc.forms[0]
            data = dict(form.form_values())
            if keep is not None:
                keep.append((urljoin(response.url, form.action), data, len(self.served_by)))
            response = self.request("POST", urljoin(response.url, form.action), data)
        raise AssertionError("too many auto-posts")

    def login_upstream(self, app: str, person: str, keep=None):
        """The application's login, signed in at the demo authenticator as `person`: the broker's
        next page (the chooser, or the application when one option answers at once)."""
        page = self.request("GET", app + "/login")
        assert self.upstream is None or page.url.startswith(self.upstream), page.url
        return self.autopost(self.request("POST", urljoin(page.url, "login"), {"person": person, "means": "eid"}), keep)

    def choose(self, page, doc, number: str):
        """Pick the chooser's card of `number`; the page the answer's auto-posts end on."""
        xpath = f"//li[@class='card'][.//*[@class='number' and text()='{number}']]//button/@value"
        values = doc.xpath(xpath)
        assert values, f"no card for {number}"
        form = doc.forms[-1]
        return self.autopost(
            self.request("POST", urljoin(page.url, form.action), dict(form.form_values(), option=values[0]))
        )


def signed_in(page, attribute: str, value: str) -> bool:
    """The demo application's page shows the attribute the broker's assertion carried."""
    return f"{attribute}</th><td>{value}</td>" in page.text
