"""The metadata folder is reloaded while the broker runs: connecting an e-loket needs no restart."""

import logging
import os

from broker import create_app
from demo.application import create_application_app
from demo.upstream import create_upstream_app
from tests.browser import Browser
from tests.conftest import APP2, BROKER, UPSTREAM


def _browser(broker, demo) -> Browser:
    return Browser(
        {
            "localhost:8080": broker,
            "localhost:8090": create_upstream_app(**demo.upstream),
            "localhost:8001": create_application_app(**demo.application2),
        }
    )


def accepted(broker, demo) -> bool:
    """The e-loket's AuthnRequest reached the upstream authenticator (the broker knows the e-loket)."""
    page = _browser(broker, demo).get(APP2 + "/login")
    assert page.url.startswith((UPSTREAM + "/sso", BROKER + "/saml/idp/sso")), page.url
    return page.url.startswith(UPSTREAM + "/sso")


def test_an_eloket_connected_edited_and_removed_without_restart(demo, caplog):
    file = os.path.join(demo.broker["METADATA_DIR"], "kiosk.xml")
    with open(file, "rb") as handle:
        good = handle.read()
    os.remove(file)
    broker = create_app(demo.broker)
    registry = broker.extensions["metadata"]
    registry.check_interval = 0  # stands for the seconds an operator waits; nothing else is shortened
    assert not accepted(broker, demo)

    with open(file, "wb") as handle:  # the operator connects the e-loket
        handle.write(good)
    assert accepted(broker, demo)

    with caplog.at_level(logging.ERROR, logger="broker.metadata"):  # a broken edit: refused, logged
        with open(file, "wb") as handle:
            handle.write(good[: len(good) // 2])
        assert accepted(broker, demo)  # the last good copy stays in use
    assert any("kiosk.xml" in r.getMessage() and "REFUSED" in r.getMessage() for r in caplog.records)
    assert [path for path, _ in registry.folder_errors] == [file]
    assert broker.test_client().get("/readyz").json["checks"]["metadata"] == "1 files refused"

    with open(file, "wb") as handle:  # fixed
        handle.write(good)
    assert accepted(broker, demo) and registry.folder_errors == ()

    os.remove(file)  # disconnected: refused from the next request on
    assert not accepted(broker, demo)
