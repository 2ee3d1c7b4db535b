"""The self-service application beside the real broker, demo authenticator and demo application."""

import pytest

from selfservice import create_app
from tests.browser import Browser

SELF = "http://localhost:8070"


@pytest.fixture
def selfservice_app(demo):
    return create_app(demo.selfservice)


@pytest.fixture
def store(parties):
    return parties["broker"].extensions["store"]


@pytest.fixture
def browser(parties, selfservice_app):
    return Browser(
        {
            "localhost:8080": parties["broker"],
            "localhost:8090": parties["upstream"],
            "localhost:8000": parties["application"],
            "localhost:8070": selfservice_app,
        }
    )
