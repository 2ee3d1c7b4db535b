"""Two broker nodes on one PostgreSQL (issue 18, item 4): two `broker serve` processes (real
gunicorn), each with its own working folder and TOML file and no file in common, both keeping
their state and reading the mandates store in PostgreSQL; the demo authenticator and two real
pysaml2 applications on live sockets. A login hops between the nodes, a replay at the other node is
refused, a mandate signed in the store shows at the other node, SSO and Single Logout span both,
and a node killed with SIGKILL mid-login leaves the login to finish on the other.

The tests share one set-up (starting it dominates the time) and run in file order; the last one
kills node A."""

import os
import signal
import subprocess
import threading
import types
from datetime import date
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from broker.saml.certgen import generate
from broker.web.i18n import CATALOGUES
from demo.application import application_config, create_application_app
from demo.entities import metadata_xml
from demo.environment import copy_policies, free_port, prepare, write_broker_config
from demo.upstream import create_upstream_app
from mandates_store import Actor, Store, demo_data
from mandates_store import demo_data as d
from tests.conftest import KIOSK_POLICY
from tests.serve.nodes import BROKER_CMD, NodeBrowser, node_folder, node_settings, signed_in, wait_until_up

REPLAY = "This sign-in answer was used before."


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, postgres_server):
    root = tmp_path_factory.mktemp("two-nodes")
    a, b, up, app1, app2 = (free_port() for _ in range(5))
    broker_url, upstream_url = f"http://localhost:{a}", f"http://localhost:{up}"
    app1_url, app2_url = f"http://localhost:{app1}", f"http://localhost:{app2}"
    policies = copy_policies(str(root / "policies"), app1_url)
    with open(os.path.join(policies, "kiosk.yaml"), "w", encoding="utf-8") as handle:
        handle.write(KIOSK_POLICY.replace("http://localhost:8001", app2_url))
    demo_dir = str(root / "demo")
    env = prepare(
        demo_dir,
        broker_url=broker_url,
        upstream_url=upstream_url,
        application_url=app1_url,
        policy_dir=policies,
        signing_key_bits=2048,
    )
    key, cert = str(root / "app2.key"), str(root / "app2.crt")
    generate(key, cert, "app2")
    config = application_config(app2_url, key, cert, [], env.application["broker_idp"])
    with open(os.path.join(env.broker["METADATA_DIR"], "kiosk.xml"), "w") as handle:
        handle.write(metadata_xml(config, "sp"))
    application2 = dict(env.application, base_url=app2_url, key=key, cert=cert, cookie_name="kiosk_session")

    state_url, store_url = postgres_server.create_database(), postgres_server.create_database()
    with Store(store_url) as store:
        demo_data.load_demo(store, date.today())

    processes, folders = {}, {}
    for name, port in (("a", a), ("b", b)):
        folder = folders[port] = node_folder(root, demo_dir, policies, f"node-{name}")
        settings = node_settings(env.broker, demo_dir, folder, STATE_DB=state_url, STORE_DB=store_url)
        toml = os.path.join(folder, "broker.toml")
        secrets = write_broker_config(types.SimpleNamespace(broker=settings), toml, bind=f"127.0.0.1:{port}", workers=1)
        log = open(os.path.join(folder, "broker.log"), "w")
        processes[port] = subprocess.Popen(
            [BROKER_CMD, "serve", "--config", toml],
            env=dict(os.environ, **secrets),
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    servers = [
        make_server("127.0.0.1", up, create_upstream_app(**env.upstream), threaded=True),
        make_server("127.0.0.1", app1, create_application_app(**env.application), threaded=True),
        make_server("127.0.0.1", app2, create_application_app(**application2), threaded=True),
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for port in (a, b):
            wait_until_up(f"http://127.0.0.1:{port}/healthz", seconds=60)
        yield types.SimpleNamespace(
            a=a, b=b, upstream=upstream_url, app1=app1_url, app2=app2_url,
            processes=processes, folders=folders, state_url=state_url, store_url=store_url,
        )  # fmt: skip
    finally:
        for server in servers:
            server.shutdown()
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(20)


def givers_offered(doc) -> set[str]:
    return set(doc.xpath("//li[@class='card']//*[@class='number']/text()"))


def test_a_login_alternating_between_the_nodes_succeeds_and_a_replay_at_the_other_is_refused(nodes):
    browser = NodeBrowser((nodes.a, nodes.b), nodes.upstream)
    posted = []
    page, doc = browser.login_upstream(nodes.app1, d.PERSON_EXECUTOR, keep=posted)
    assert "/choose/" in page.url

    # while the flow still waits for the choice (else it is refused as answering no open request)
    acs_url, answer, hop = next(p for p in posted if p[0].endswith("/saml/sp/acs"))
    took_it = browser.served_by[hop]  # the node that accepted the upstream answer
    other = nodes.b if took_it == nodes.a else nodes.a
    replay = requests.post(
        acs_url.replace(urlsplit(acs_url).netloc, f"localhost:{other}"),
        data=answer,
        cookies=browser.session.cookies,
        timeout=30,
    )
    assert replay.status_code == 400
    assert REPLAY in replay.text or CATALOGUES["nl"][REPLAY] in replay.text

    page, _ = browser.choose(page, doc, d.EMMAUS)
    assert page.url == nodes.app1 + "/" and signed_in(page, "LegalSubjectID", d.EMMAUS)
    assert set(browser.served_by) == {nodes.a, nodes.b}, "both nodes served this login"


def test_a_mandate_signed_in_the_store_is_offered_at_the_other_nodes_next_login(nodes):
    before = NodeBrowser((nodes.a, nodes.b), nodes.upstream, pin=nodes.a)
    page, doc = before.login_upstream(nodes.app1, d.PERSON_EXECUTOR)
    assert d.EMMAUS in givers_offered(doc) and d.BALOISE not in givers_offered(doc), "BALOISE has not signed yet"

    with Store(nodes.store_url) as store:  # as the self-service application would, on behalf of BALOISE
        (waiting,) = [
            row[0]
            for row in store.db.execute(
                "SELECT id FROM mandates WHERE giver=? AND taker=? AND state='awaiting'", (d.BALOISE, d.BAROCY)
            )
        ]
        store.sign(Actor.admin(d.BALOISE, "two-nodes"), waiting, accept_contract=True)

    after = NodeBrowser((nodes.a, nodes.b), nodes.upstream, pin=nodes.b)
    page, doc = after.login_upstream(nodes.app1, d.PERSON_EXECUTOR)
    assert d.BALOISE in givers_offered(doc), "node B offers the mandate signed meanwhile"
    page, _ = after.choose(page, doc, d.BALOISE)
    assert signed_in(page, "LegalSubjectID", d.BALOISE)


def test_single_sign_on_and_single_logout_span_both_nodes(nodes):
    browser = NodeBrowser((nodes.a, nodes.b), nodes.upstream)
    page, _ = browser.login_upstream(nodes.app1, d.PERSON_YOUNG)
    assert page.url == nodes.app1 + "/" and signed_in(page, "LoginKind", "own_name")

    hops, visited = len(browser.served_by), len(browser.visits)
    page = browser.request("GET", nodes.app2 + "/login")  # the broker's session: no upstream step
    page, doc = browser.autopost(page)
    assert "/choose/" in page.url and not any(url.startswith(nodes.upstream) for url in browser.visits[visited:])
    page, _ = browser.choose(page, doc, d.PERSON_OWN_NAME_ONLY)
    assert page.url == nodes.app2 + "/" and signed_in(page, "MandateType", "Kiosk")
    assert set(browser.served_by[hops:]) == {nodes.a, nodes.b}, "the SSO session served by both nodes"

    hops, visits = len(browser.served_by), len(browser.visits)
    page, _ = browser.autopost(browser.request("GET", nodes.app1 + "/logout"))
    assert "Afgemeld" in page.text
    told = [url.split("?")[0] for url in browser.visits[visits:]]
    assert nodes.app2 + "/saml/slo" in told and nodes.upstream + "/slo" in told
    assert set(browser.served_by[hops:]) == {nodes.a, nodes.b}, "Single Logout hopped between the nodes"
    assert "Aangemeld" not in browser.request("GET", nodes.app2 + "/").text, "the other application logged out"
    assert browser.request("GET", nodes.app1 + "/login").url.startswith(nodes.upstream), "a new login goes upstream"


def test_a_node_killed_mid_login_leaves_the_login_to_finish_on_the_other(nodes):
    browser = NodeBrowser((nodes.a, nodes.b), nodes.upstream, pin=nodes.a)
    page, doc = browser.login_upstream(nodes.app1, d.PERSON_EXECUTOR)
    assert "/choose/" in page.url and set(browser.served_by) == {nodes.a}

    node_a = nodes.processes[nodes.a]
    os.killpg(node_a.pid, signal.SIGKILL)  # the master and its worker, no goodbye
    node_a.wait(20)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{nodes.a}/healthz", timeout=5)

    browser.pin = nodes.b  # the load balancer sends the rest to the node still up
    page, _ = browser.choose(page, doc, d.EMMAUS)
    assert page.url == nodes.app1 + "/" and signed_in(page, "LegalSubjectID", d.EMMAUS)
    ready = requests.get(f"http://127.0.0.1:{nodes.b}/readyz", timeout=10).json()
    assert ready["checks"]["state_db"] == ready["checks"]["store_db"] == "ok"
