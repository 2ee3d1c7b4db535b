"""Shibboleth SP 3 (Debian's shibboleth-sp-utils, apache2 and libapache2-mod-shib) behind a live
broker, started without systemd on loopback ports from a configuration generated into a temporary
folder; the SP knows the broker only from its published metadata (MetadataProvider url)."""

import os
import shutil
import stat
import string
import tempfile

import pytest
from lxml import etree

from broker.attributes import VOCABULARY
from broker.policy.model import NAMEID_PERSISTENT
from broker.saml.certgen import generate
from demo.environment import free_port
from mandates_store import demo_data as d
from tests.browser_ui.chrome import PREFIX
from tests.interop import live_stack

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shibboleth")
TEMPLATES = ("shibboleth2.xml", "shibd.logger", "native.logger", "httpd.conf")


def attribute_map() -> str:
    """Shibboleth's attribute-map.xml: the persistent NameID and every attribute of the broker's
    vocabulary under its default name, each with the key as its id (the CGI's variable name)."""
    rules = "".join(f'  <Attribute name="{PREFIX}{key}" id="{key}"/>\n' for key in VOCABULARY)
    return (
        '<Attributes xmlns="urn:mace:shibboleth:2.0:attribute-map"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f'  <Attribute name="{NAMEID_PERSISTENT}" id="persistentID">\n'
        '    <AttributeDecoder xsi:type="NameIDAttributeDecoder" formatter="$Name" defaultQualifiers="true"/>\n'
        "  </Attribute>\n" + rules + "</Attributes>\n"
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    running = live_stack.start(str(tmp_path_factory.mktemp("shib-broker")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shibboleth(live):
    """shibd and Apache; the SP's base URL. The folder is outside pytest's (root-only) tmp folders:
    Apache's children run as www-data and read the configuration and the CGI from there."""
    workdir = tempfile.mkdtemp(prefix="interop-shib-")
    os.chmod(workdir, 0o755)
    for folder in ("log", "run"):
        os.makedirs(os.path.join(workdir, folder))
        os.chmod(os.path.join(workdir, folder), 0o777)
    port, shibd_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    values = {
        "dir": workdir,
        "base": base,
        "port": port,
        "shibd_port": shibd_port,
        "broker_idp": live.broker + "/saml/idp/metadata",
        "metadata_url": live.idp_metadata_url,
    }
    for name in TEMPLATES:
        with open(os.path.join(HERE, name)) as source, open(os.path.join(workdir, name), "w") as target:
            target.write(string.Template(source.read()).substitute(values))
    with open(os.path.join(workdir, "attribute-map.xml"), "w") as handle:
        handle.write(attribute_map())
    shutil.copy(os.path.join(HERE, "app.cgi"), workdir)
    os.chmod(os.path.join(workdir, "app.cgi"), stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    generate(os.path.join(workdir, "sp.key"), os.path.join(workdir, "sp.crt"), "shibboleth-sp")
    shibd = [
        "/usr/sbin/shibd",
        "-F",
        "-f",
        "-c",
        os.path.join(workdir, "shibboleth2.xml"),
        "-p",
        workdir + "/run/shibd.pid",
    ]
    live_stack.start_logged(live, shibd, os.path.join(workdir, "log", "shibd.out"), shibd_port)
    apache = ["/usr/sbin/apache2", "-f", os.path.join(workdir, "httpd.conf"), "-DFOREGROUND"]
    live_stack.start_logged(live, apache, os.path.join(workdir, "log", "apache.out"), port)
    entity_id = base + "/shibboleth"
    live.shibboleth_metadata = live_stack.get(base + "/Shibboleth.sso/Metadata")
    live.connect("shibboleth", live.shibboleth_metadata, entity_id, encrypt=False)
    yield base
    shutil.rmtree(workdir, ignore_errors=True)


def signed_in(chrome, base) -> dict:
    chrome.wait_url(base + "/")  # the application, or Shibboleth's error page at its ACS
    assert chrome.driver.current_url.startswith(base + "/app"), chrome.text()
    assert chrome.text("h1") == "signed in", chrome.text()
    return chrome.attributes(base)


def encrypted(live, on: bool):
    """The broker's policy for the SP says whether its assertions are encrypted (a restart)."""
    entity_id = etree.fromstring(live.shibboleth_metadata.encode()).get("entityID")
    live.connect("shibboleth", live.shibboleth_metadata, entity_id, encrypt=on)


def test_plain_login(chrome, shibboleth, live):
    encrypted(live, False)
    chrome.login(d.PERSON_OWN_NAME_ONLY, app=shibboleth, path="/app")
    got = signed_in(chrome, shibboleth)
    assert got["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY and got["LoginKind"] == "own_name"
    assert len(got["NameID"]) == 64


def test_login_with_an_encrypted_assertion_under_the_default_signing(chrome, shibboleth, live):
    encrypted(live, True)
    chrome.login(d.PERSON_OWN_NAME_ONLY, app=shibboleth, path="/app")
    got = signed_in(chrome, shibboleth)
    assert got["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY


def test_login_through_the_chooser(chrome, shibboleth, live):
    encrypted(live, True)
    chrome.login(d.PERSON_EXECUTOR, app=shibboleth, path="/app")
    live_stack.choose(chrome, "Emmaüs", shibboleth + "/app")
    got = signed_in(chrome, shibboleth)
    assert got["LoginKind"] == "mandate" and got["LegalSubjectName"] == "Emmaüs"


def test_single_logout(chrome, shibboleth, live):
    encrypted(live, False)
    chrome.login(d.PERSON_OWN_NAME_ONLY, app=shibboleth, path="/app")
    signed_in(chrome, shibboleth)
    chrome.open(shibboleth + "/Shibboleth.sso/Logout?return=" + shibboleth + "/done")
    chrome.wait_url(shibboleth + "/done")
    assert chrome.text("h1") == "logged out", chrome.text()
    chrome.open(shibboleth + "/app")
    chrome.wait_url(live.upstream + "/sso")
