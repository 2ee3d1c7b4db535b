"""Full brokered logins per second on one worker, in a simple loop.

Each login is the whole chain in one process, through HTTP on Flask test clients (no sockets):
the demo application (pysaml2 SP) builds a signed AuthnRequest → the broker checks it and sends a
signed AuthnRequest upstream → the demo authenticator (pysaml2 IdP) answers with a signed Response
and Assertion → the broker validates it strictly, computes the options, (chooser) → signs its
Response and Assertion → the application's SP validates them. Every party runs in this one
process, so the figure is the cost of the whole chain; the broker's own share is measured apart
with a profiler-free timer around the broker's requests only.

    .venv/bin/python bench/login_loop.py [--logins 200] [--person 79031510459]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from broker import create_app  # noqa: E402
from demo.application import create_application_app  # noqa: E402
from demo.environment import copy_policies, prepare  # noqa: E402
from demo.upstream import create_upstream_app  # noqa: E402
from mandates_store import demo_data  # noqa: E402
from tests.browser import Browser  # noqa: E402


class TimedBrowser(Browser):
    """Adds up the wall time spent inside the broker's requests."""

    broker_seconds = 0.0

    def raw(self, method, url, data=None):
        start = time.perf_counter()
        page = super().raw(method, url, data)
        if url.startswith("http://localhost:8080"):
            self.broker_seconds += time.perf_counter() - start
        return page


def one_login(browser, person: str, choose_first: bool) -> None:
    page = browser.get("http://localhost:8000/login")
    page = browser.submit(page, {"person": person, "means": "eid"})
    if choose_first:
        form = page.form(len(page.doc.forms) - 1)
        token = form.xpath(".//button[@name='option']")[0].get("value")
        page = browser.submit(page, {"option": token}, index=len(page.doc.forms) - 1)
    assert page.url == "http://localhost:8000/", page.url
    # log out of the broker locally so the next round authenticates upstream again
    for client in browser.clients.values():
        client._cookies.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=200)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-login-")
    try:
        policies = copy_policies(os.path.join(workdir, "policies"))
        env = prepare(os.path.join(workdir, "demo"), policy_dir=policies)
        env.broker["SESSION_COOKIE_SECURE"] = False
        apps = {
            "localhost:8080": create_app(env.broker),
            "localhost:8090": create_upstream_app(**env.upstream),
            "localhost:8000": create_application_app(**env.application),
        }
        for label, person, choose_first in (
            ("single option (own name, no chooser)", demo_data.PERSON_OWN_NAME_ONLY, False),
            ("through the chooser (Mandaat via BAROCY)", demo_data.PERSON_EXECUTOR, True),
        ):
            browser = TimedBrowser(apps)
            one_login(browser, person, choose_first)  # warm-up
            browser.broker_seconds = 0.0
            start = time.perf_counter()
            for _ in range(args.logins):
                one_login(browser, person, choose_first)
            elapsed = time.perf_counter() - start
            print(
                f"{label}: {args.logins} logins in {elapsed:.2f} s = {args.logins / elapsed:.1f} full logins/s "
                f"(all three parties in one process); broker's share {browser.broker_seconds / args.logins * 1000:.2f} ms "
                f"per login = {args.logins / browser.broker_seconds:.1f} logins/s for the broker alone"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
