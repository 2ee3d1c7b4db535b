"""The broker, the demo authenticator and three demo applications on real sockets (127.0.0.1, free
ports chosen now), for tests in a real browser. Application A has the demo policy; application B
("strict") accepts no own-name login, so a person without links there meets the no-access page;
application C ("kiosk") uses the Kiosk mandate type, which the demo has person to person."""

import os
import threading
from dataclasses import dataclass

from werkzeug.serving import make_server

from broker import create_app
from broker.saml.certgen import generate
from demo.application import application_config, create_application_app
from demo.entities import metadata_xml
from demo.environment import copy_policies, free_port, prepare
from demo.upstream import create_upstream_app
from mandates_store import Actor, Store
from mandates_store import demo_data as d
from mandates_store.identifiers import with_check_digits
from selfservice import create_app as create_selfservice_app

EVIL_NAME = '<script>alert("x")</script> Malafide BV'
EVIL_NUMBER = with_check_digits("07777777")
STRICT_POLICY = """entity_id: {entity}
mandate_types: [WSE Loket]
login:
  own_name: false
  work_relationship: true
  mandate: true
skip_single_option: true
"""
KIOSK_POLICY = """entity_id: {entity}
mandate_types: [Kiosk]
login:
  own_name: true
  work_relationship: false
  mandate: true
skip_single_option: true
"""


@dataclass
class Live:
    broker: str
    upstream: str
    app: str
    strict_app: str
    kiosk_app: str
    servers: list
    selfservice: str = ""  # Mandatenbeheer, the self-service application
    store_path: str = ""

    def stop(self):
        for server in self.servers:
            server.shutdown()


def _add_evil_giver(store_path: str) -> None:
    """A giver whose name is markup, with a WSE Loket mandate to BAROCY: Lotte sees it escaped."""
    with Store(store_path) as store:
        store.put_party(EVIL_NUMBER, EVIL_NAME)
        (mandate,) = store.create_mandates(
            Actor(d.PERSON_REPRESENTATIVE, d.BAROCY),
            role="taker",
            counterparty=EVIL_NUMBER,
            types=["WSE Loket"],
            accept_contract=True,
        )
        store.sign(Actor.admin(EVIL_NUMBER, "test"), mandate.id, accept_contract=True)


def start(workdir: str) -> Live:
    names = ("broker", "upstream", "app", "strict_app", "kiosk_app", "selfservice")
    urls = {name: f"http://127.0.0.1:{free_port()}" for name in names}
    policies = copy_policies(os.path.join(workdir, "policies"), urls["app"], urls["selfservice"])
    for name, policy in (("strict", STRICT_POLICY), ("kiosk", KIOSK_POLICY)):
        with open(os.path.join(policies, f"{name}.yaml"), "w", encoding="utf-8") as handle:
            handle.write(policy.format(entity=urls[f"{name}_app"] + "/saml/metadata"))
    env = prepare(
        os.path.join(workdir, "demo"),
        broker_url=urls["broker"],
        upstream_url=urls["upstream"],
        application_url=urls["app"],
        policy_dir=policies,
        selfservice_url=urls["selfservice"],
    )
    env.broker["SESSION_COOKIE_SECURE"] = False
    _add_evil_giver(env.broker["STORE_DB"])
    extra = {name: _application(env, workdir, name, urls[f"{name}_app"]) for name in ("strict", "kiosk")}
    apps = {
        "broker": create_app(env.broker),
        "upstream": create_upstream_app(**env.upstream),
        "app": create_application_app(**env.application),
        "strict_app": create_application_app(**extra["strict"]),
        "kiosk_app": create_application_app(**extra["kiosk"]),
        "selfservice": create_selfservice_app(env.selfservice),
    }
    servers = []
    for name, app in apps.items():
        server = make_server("127.0.0.1", int(urls[name].rsplit(":", 1)[1]), app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return Live(
        urls["broker"],
        urls["upstream"],
        urls["app"],
        urls["strict_app"],
        urls["kiosk_app"],
        servers,
        urls["selfservice"],
        env.broker["STORE_DB"],
    )


def _application(env, workdir: str, name: str, url: str) -> dict:
    """Another demo application at `url`: its keys, its metadata in the broker's folder."""
    key, cert = os.path.join(workdir, f"{name}.key"), os.path.join(workdir, f"{name}.crt")
    generate(key, cert, name)
    config = application_config(url, key, cert, [], env.application["broker_idp"])
    with open(os.path.join(env.broker["METADATA_DIR"], f"{name}.xml"), "w", encoding="utf-8") as handle:
        handle.write(metadata_xml(config, "sp"))
    return dict(env.application, base_url=url, key=key, cert=cert, cookie_name=f"{name}_app_session")
