"""The security tests share one set of keys, metadata and store (generating RSA keys dominates the
run time); each test still gets its own state file, so sessions and replay caches never leak."""

import copy

import pytest

from broker import create_app
from demo.application import create_application_app
from demo.upstream import create_upstream_app
from tests.browser import Browser
from tests.conftest import build_demo


@pytest.fixture(scope="session")
def shared_demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("security"))


@pytest.fixture
def demo(shared_demo, tmp_path):
    env = copy.copy(shared_demo)
    env.broker = dict(shared_demo.broker, STATE_DB=str(tmp_path / "state.db"))
    return env


@pytest.fixture(scope="session")
def shared_peers(shared_demo):
    """The pysaml2 peers keep nothing between tests but what the test clients' cookies hold."""
    return {
        "upstream": create_upstream_app(**shared_demo.upstream),
        "application": create_application_app(**shared_demo.application),
        "application2": create_application_app(**shared_demo.application2),
    }


@pytest.fixture
def parties(demo, shared_peers):
    made = dict(shared_peers, broker=create_app(demo.broker))
    yield made
    made["broker"].extensions["state"].close()  # on PostgreSQL: its pool's connections


def browser_for(apps):
    return Browser(
        {
            "localhost:8080": apps["broker"],
            "localhost:8090": apps["upstream"],
            "localhost:8000": apps["application"],
            "localhost:8001": apps["application2"],
        }
    )


@pytest.fixture
def broker_with(demo, parties):
    """A browser whose broker runs with changed settings (same keys, metadata, store, state file)."""

    made = []

    def make(**overrides):
        made.append(create_app(dict(demo.broker, **overrides)))
        apps = dict(parties, broker=made[-1])
        return browser_for(apps), apps

    yield make
    for app in made:
        app.extensions["state"].close()
