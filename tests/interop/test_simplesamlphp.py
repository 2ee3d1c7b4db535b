"""SimpleSAMLphp (Debian's simplesamlphp 1.19, PHP's built-in server) as service providers behind a
live broker, configured only from the broker's published metadata (an "xml" metadata source with
the broker's URL); the browser is headless Debian chromium."""

import json
import os
import secrets
import shutil

import pytest

from broker.saml.certgen import generate
from demo.environment import free_port
from mandates_store import demo_data as d
from tests.interop import live_stack

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "simplesamlphp")
WWW = "/usr/share/simplesamlphp/www"
SPS = {"plain-sp": False, "enc-sp": True}  # authsource -> encrypted assertion


def start_simplesamlphp(live, workdir: str, port: int, stack: dict) -> str:
    """A SimpleSAMLphp on `port`; its base URL. `stack` is the rest of its stack.json."""
    base = f"http://127.0.0.1:{port}"
    config = os.path.join(workdir, "config")
    os.makedirs(config)
    for name in ("config.php", "authsources.php"):
        shutil.copy(os.path.join(HERE, name), config)
    shutil.copytree(os.path.join(HERE, "metadata"), os.path.join(config, "metadata"))
    for folder in ("cert", "log", "data", "tmp", "sessions"):
        os.makedirs(os.path.join(workdir, folder))
    with open(os.path.join(config, "stack.json"), "w") as handle:
        json.dump(dict(stack, base=base, dir=workdir, salt=secrets.token_hex(16)), handle)
    env = dict(os.environ, SIMPLESAMLPHP_CONFIG_DIR=config)
    command = ["php", "-S", f"127.0.0.1:{port}", "-t", WWW, os.path.join(HERE, "router.php")]
    live_stack.start_logged(live, command, os.path.join(workdir, "php.log"), port, env)
    return base


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    running = live_stack.start(str(tmp_path_factory.mktemp("ssp-broker")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def ssp(live, tmp_path_factory):
    """One SimpleSAMLphp with two SPs, each connected to the broker from its own metadata."""
    workdir = str(tmp_path_factory.mktemp("ssp"))
    port = free_port()
    sps = {}
    for name, encrypted in SPS.items():
        key, cert = os.path.join(workdir, name + ".key"), os.path.join(workdir, name + ".crt")
        generate(key, cert, name)
        entity_id = f"http://127.0.0.1:{port}/module.php/saml/sp/metadata.php/{name}"
        sps[name] = {"key": key, "cert": cert, "encrypted": encrypted, "entity_id": entity_id}
    stack = {
        "idp": False,
        "idp_encrypts": False,
        "users": [],
        "sps": sps,
        "broker_idp": live.broker + "/saml/idp/metadata",
        "metadata_urls": [live.idp_metadata_url],
    }
    base = start_simplesamlphp(live, os.path.join(workdir, "run"), port, stack)
    for name, sp in sps.items():
        live.connect(name, live_stack.get(sp["entity_id"]), sp["entity_id"], sp["encrypted"])
    return base


def login(chrome, ssp, source: str, person: str):
    chrome.login(person, app=ssp, path=f"/app.php?as={source}&login")


def signed_in(chrome, ssp) -> dict:
    chrome.wait_url(ssp + "/app.php")
    assert chrome.text("h1") == "signed in", chrome.text()
    return chrome.attributes(ssp)


def test_plain_login(chrome, ssp):
    login(chrome, ssp, "plain-sp", d.PERSON_OWN_NAME_ONLY)
    got = signed_in(chrome, ssp)
    assert got["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY and got["LoginKind"] == "own_name"
    assert len(got["NameID"]) == 64


def test_login_with_an_encrypted_assertion_under_the_default_signing(chrome, ssp):
    login(chrome, ssp, "enc-sp", d.PERSON_OWN_NAME_ONLY)
    got = signed_in(chrome, ssp)
    assert got["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY


def test_login_through_the_chooser(chrome, ssp, live):
    login(chrome, ssp, "enc-sp", d.PERSON_EXECUTOR)
    live_stack.choose(chrome, "Emmaüs", ssp + "/app.php")
    got = signed_in(chrome, ssp)
    assert got["LoginKind"] == "mandate" and got["LegalSubjectName"] == "Emmaüs"


def test_single_logout(chrome, ssp, live):
    login(chrome, ssp, "plain-sp", d.PERSON_OWN_NAME_ONLY)
    signed_in(chrome, ssp)
    chrome.open(ssp + "/app.php?as=plain-sp&logout")
    chrome.wait_url(ssp + "/app.php?as=plain-sp&done")
    assert chrome.text("h1") == "logged out", chrome.text()
    chrome.open(ssp + "/app.php?as=plain-sp")
    assert chrome.text("h1") == "anonymous"
    chrome.open(ssp + "/app.php?as=plain-sp&login")
    chrome.wait_url(live.upstream + "/sso")
