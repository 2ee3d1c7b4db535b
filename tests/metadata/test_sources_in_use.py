"""Sources configured in the broker: a login with an application known only through a URL, and
the `broker metadata list|refresh` commands."""

import os

from click.testing import CliRunner
from lxml import etree

from broker import create_app
from broker.cli import main
from demo.application import create_application_app
from demo.upstream import create_upstream_app
from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import APP
from tests.e2e.helpers import login_at_upstream, received
from tests.metadata.helpers import document, signed, unsigned

DEMO_APP = "http://localhost:8000/saml/metadata"


def _serve_application(demo, server, federation) -> str:
    """The demo application's metadata leaves the folder and is published, signed, at a URL."""
    path = os.path.join(demo.broker["METADATA_DIR"], "demo-application.xml")
    entity = etree.fromstring(open(path, "rb").read())
    os.remove(path)
    server.documents["/apps.xml"] = signed(document([entity], aggregate=True), *federation)
    return server.url("/apps.xml")


def test_login_with_an_application_known_only_from_a_url(demo, server, federation, tmp_path):
    url = _serve_application(demo, server, federation)
    config = dict(
        demo.broker,
        METADATA_SOURCES=[{"url": url, "signing_cert": federation[1]}],
        METADATA_CACHE_DIR=str(tmp_path / "cache"),
    )
    browser = Browser(
        {
            "localhost:8080": create_app(config),
            "localhost:8090": create_upstream_app(**demo.upstream),
            "localhost:8000": create_application_app(**demo.application),
        }
    )
    page = login_at_upstream(browser, d.PERSON_OWN_NAME_ONLY)
    assert page.url == APP + "/"
    assert received(browser)["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY


def _toml(demo, tmp_path, url, pin) -> str:
    lines = [f'{k.lower()} = "{v}"' for k, v in demo.broker.items() if isinstance(v, str)]
    lines.append(f'metadata_cache_dir = "{tmp_path / "cache"}"')
    lines.append(f'[[metadata_sources]]\nurl = "{url}"\nsigning_cert = "{pin}"')
    path = tmp_path / "broker.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_list_and_refresh_commands(demo, server, federation, tmp_path):
    url = _serve_application(demo, server, federation)
    config = _toml(demo, tmp_path, url, federation[1])
    runner = CliRunner()
    refreshed = runner.invoke(main, ["metadata", "refresh", "--config", config])
    assert refreshed.exit_code == 0 and f"{url}: accepted" in refreshed.output

    listed = runner.invoke(main, ["metadata", "list", "--config", config])
    assert listed.exit_code == 0, listed.output
    rows = {line.split("\t")[0]: line.split("\t") for line in listed.output.splitlines()[1:]}
    assert rows[DEMO_APP][1:4] == ["sp", url, "fetched"] and rows[DEMO_APP][5] == "yes"
    assert rows[DEMO_APP][4].startswith("20")  # the document's validUntil
    kiosk = "http://localhost:8001/saml/metadata"
    assert rows[kiosk][2].endswith("kiosk.xml") and rows[kiosk][3] == "folder" and rows[kiosk][5] == "yes"
    assert rows[demo.broker["UPSTREAM_ENTITY_ID"]][1] == "idp"

    server.documents["/apps.xml"] = unsigned(document([etree.fromstring(server.documents["/apps.xml"])[1]]))
    refused = runner.invoke(main, ["metadata", "refresh", "--config", config])
    assert refused.exit_code == 1 and "refused (unsigned" in refused.output and "cached copy in use" in refused.output
    still = runner.invoke(main, ["metadata", "list", "--config", config])
    assert f"{DEMO_APP}\tsp\t{url}\tcache" in still.output
