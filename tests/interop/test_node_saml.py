"""node-saml (@node-saml/node-saml, npm) as an application behind a live broker, configured only
from the broker's published metadata; the browser is headless Debian chromium."""

import os

import pytest
from selenium.webdriver.common.by import By

from broker.saml.certgen import generate
from demo.environment import free_port
from mandates_store import demo_data as d
from tests.browser_ui.chrome import REPO
from tests.interop import live_stack

NODE_SP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_sp.js")
NODE_PATH = os.path.join(REPO, ".npm", "node_modules")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    running = live_stack.start(str(tmp_path_factory.mktemp("node")))
    yield running
    running.stop()


def node_sp(live, workdir, name: str, encrypt: bool) -> str:
    """A node-saml SP on its own port, connected to the broker; its base URL."""
    base = f"http://127.0.0.1:{free_port()}"
    key, cert = os.path.join(workdir, name + ".key"), os.path.join(workdir, name + ".crt")
    generate(key, cert, name)
    env = dict(os.environ, NODE_PATH=NODE_PATH)
    live_stack.run_until_ready(live, ["node", NODE_SP, base, live.idp_metadata_url, key, cert], env=env)
    live.connect(name, live_stack.get(base + "/metadata"), base + "/metadata", encrypt)
    return base


@pytest.fixture(scope="module")
def apps(live, tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("node-sp"))
    return {"plain": node_sp(live, workdir, "node-plain", False), "encrypted": node_sp(live, workdir, "node-enc", True)}


def signed_in(chrome, app) -> dict:
    chrome.wait_url(app + "/")
    assert chrome.text("h1") == "signed in", chrome.text()
    return chrome.attributes(app)


def test_plain_login(chrome, apps):
    chrome.login(d.PERSON_OWN_NAME_ONLY, app=apps["plain"])
    got = signed_in(chrome, apps["plain"])
    assert got["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY and got["LoginKind"] == "own_name"
    assert len(got["NameID"]) == 64  # the pairwise persistent identifier


def test_login_with_an_encrypted_assertion_under_the_default_signing(chrome, apps):
    # the default policy signs both the Response and the assertion; node-saml decrypts the
    # assertion on its own and verifies it there ("Invalid signature from encrypted assertion")
    chrome.login(d.PERSON_OWN_NAME_ONLY, app=apps["encrypted"])
    got = signed_in(chrome, apps["encrypted"])
    assert got["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY


def test_login_through_the_chooser(chrome, apps, live):
    chrome.login(d.PERSON_EXECUTOR, app=apps["encrypted"])
    live_stack.choose(chrome, "Emmaüs", apps["encrypted"] + "/")
    got = signed_in(chrome, apps["encrypted"])
    assert got["LoginKind"] == "mandate" and got["ActingSubjectID"] == d.PERSON_EXECUTOR
    assert got["LegalSubjectName"] == "Emmaüs"


def test_single_logout(chrome, apps, live):
    chrome.login(d.PERSON_OWN_NAME_ONLY, app=apps["plain"])
    signed_in(chrome, apps["plain"])
    chrome.open(apps["plain"] + "/logout")
    chrome.wait_url(apps["plain"] + "/slo")
    assert chrome.text("h1") == "logged out", chrome.text()
    # the broker's session is gone too: a new login goes to the authenticator again
    chrome.open(apps["plain"] + "/")
    assert chrome.text("h1") == "anonymous"
    chrome.open(apps["plain"] + "/login")
    chrome.wait_url(live.upstream + "/sso")
    assert chrome.driver.find_elements(By.CSS_SELECTOR, "input[name=person]")
