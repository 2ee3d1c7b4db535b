import os
import shutil

import pytest

from broker import create_app
from demo.application import create_application_app
from demo.environment import prepare
from demo.upstream import create_upstream_app
from tests.browser import Browser

BROKER = "http://localhost:8080"
UPSTREAM = "http://localhost:8090"
APP = "http://localhost:8000"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def demo(tmp_path):
    """The demo's three parties on a fresh SQLite store and fresh keys, in tmp_path."""
    policies = tmp_path / "policies"
    shutil.copytree(os.path.join(REPO, "policies"), policies)
    env = prepare(str(tmp_path / "demo"), policy_dir=str(policies))
    env.broker["SESSION_COOKIE_SECURE"] = False
    return env


@pytest.fixture
def parties(demo):
    broker = create_app(demo.broker)
    upstream = create_upstream_app(**demo.upstream)
    application = create_application_app(**demo.application)
    return {"broker": broker, "upstream": upstream, "application": application}


@pytest.fixture
def browser(parties):
    return Browser({
        "localhost:8080": parties["broker"],
        "localhost:8090": parties["upstream"],
        "localhost:8000": parties["application"],
    })
