import os

import pytest

from broker import create_app
from broker.saml.certgen import generate
from demo.application import application_config, create_application_app
from demo.entities import metadata_xml
from demo.environment import copy_policies, prepare
from demo.upstream import create_upstream_app
from tests.browser import Browser
from tests.postgres import running_server

BROKER = "http://localhost:8080"
UPSTREAM = "http://localhost:8090"
APP = "http://localhost:8000"
APP2 = "http://localhost:8001"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

KIOSK_POLICY = """entity_id: http://localhost:8001/saml/metadata
mandate_types: [Kiosk]
login:
  own_name: false
  work_relationship: false
  mandate: true
skip_single_option: false
"""


def build_demo(root, store_db=None):
    """The demo's parties on a fresh SQLite store (or the one at `store_db`) and fresh keys under
    `root`, plus a second application (a "Kiosk" e-loket) for single sign-on and logout."""
    policies = copy_policies(str(root / "policies"))
    with open(os.path.join(policies, "kiosk.yaml"), "w", encoding="utf-8") as handle:
        handle.write(KIOSK_POLICY)
    env = prepare(str(root / "demo"), policy_dir=policies, store_db=store_db)
    env.broker["SESSION_COOKIE_SECURE"] = False
    key, cert = str(root / "app2.key"), str(root / "app2.crt")
    generate(key, cert, "app2")
    config = application_config(APP2, key, cert, [], env.application["broker_idp"])
    with open(os.path.join(env.broker["METADATA_DIR"], "kiosk.xml"), "w") as handle:
        handle.write(metadata_xml(config, "sp"))
    env.application2 = dict(env.application, base_url=APP2, key=key, cert=cert, cookie_name="kiosk_session")
    return env


@pytest.fixture
def demo(tmp_path):
    return build_demo(tmp_path)


@pytest.fixture
def parties(demo):
    made = {
        "broker": create_app(demo.broker),
        "upstream": create_upstream_app(**demo.upstream),
        "application": create_application_app(**demo.application),
        "application2": create_application_app(**demo.application2),
    }
    yield made
    made["broker"].extensions["state"].close()  # on PostgreSQL: its pool's connections


@pytest.fixture
def browser(parties):
    return Browser(
        {
            "localhost:8080": parties["broker"],
            "localhost:8090": parties["upstream"],
            "localhost:8000": parties["application"],
            "localhost:8001": parties["application2"],
        }
    )


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL cluster for the whole run (about a second to start)."""
    with running_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database of its own for one test."""
    return postgres_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_location(request, tmp_path):
    """The broker's state database on each engine in turn: an SQLite path, a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def open_state(state_location):
    """StateStore(location) for the test, closed after it (a PostgreSQL pool holds connections)."""
    from broker.storage.state import StateStore

    opened = []

    def open_one(location=state_location, **options):
        opened.append(StateStore(location, **options))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def demo_on_both_engines(demo, state_location):
    """`demo` (the one its module sees) with the broker's state on each engine in turn; a module
    opts in by overriding `demo` with it (see tests/security/test_replay.py)."""
    demo.broker["STATE_DB"] = state_location
    return demo
