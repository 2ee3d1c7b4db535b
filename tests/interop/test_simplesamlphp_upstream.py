"""SimpleSAMLphp 1.19 (Debian) as the broker's upstream IdP: it knows the broker only from the
broker's published SP metadata (GET /saml/sp/metadata), the broker knows it only from its
published IdP metadata; the application is the node-saml SP."""

import json
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from broker.saml.certgen import generate
from demo.environment import free_port, persons
from mandates_store import Store
from mandates_store import demo_data as d
from tests.interop import live_stack
from tests.interop.test_node_saml import node_sp
from tests.interop.test_simplesamlphp import start_simplesamlphp


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    running = live_stack.start(str(tmp_path_factory.mktemp("ssp-upstream-broker")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def upstream(live, tmp_path_factory):
    """SimpleSAMLphp as IdP, the broker switched over to it, and a node-saml application."""
    workdir = str(tmp_path_factory.mktemp("ssp-idp"))
    key, cert = os.path.join(workdir, "idp.key"), os.path.join(workdir, "idp.crt")
    generate(key, cert, "simplesamlphp-idp")
    with Store(live.config["STORE_DB"]) as store:
        users = persons(store)
    port = free_port()
    stack = {
        "idp": True,
        "idp_key": key,
        "idp_cert": cert,
        "idp_encrypts": False,
        "users": users,
        "sps": {},
        "broker_idp": "",
        "metadata_urls": [live.broker + "/saml/sp/metadata"],
    }
    base = start_simplesamlphp(live, os.path.join(workdir, "run"), port, stack)
    entity_id = base + "/saml2/idp/metadata.php"
    with open(os.path.join(live.config["METADATA_DIR"], "simplesamlphp-idp.xml"), "w", encoding="utf-8") as handle:
        handle.write(live_stack.get(entity_id))
    live.config["UPSTREAM_ENTITY_ID"] = entity_id
    app = node_sp(live, workdir, "node-app", encrypt=False)  # connecting restarts the broker
    return {"base": base, "app": app, "stack": os.path.join(workdir, "run", "config", "stack.json")}


def idp_encrypts(upstream, on: bool):
    with open(upstream["stack"]) as handle:
        stack = json.load(handle)
    stack["idp_encrypts"] = on
    with open(upstream["stack"], "w") as handle:
        json.dump(stack, handle)


def login(chrome, upstream, person: str):
    """From the application to SimpleSAMLphp's login form, sign in as `person`, arrive past it."""
    chrome.open(upstream["app"] + "/login")
    chrome.wait_url(upstream["base"] + "/module.php/core/loginuserpass.php")
    chrome.css("input[name=username]").send_keys(person)
    chrome.css("input[name=password]").send_keys(person)
    old = chrome.css("html")
    chrome.css("input[name=password]").submit()
    chrome.wait_gone(old, 20)
    WebDriverWait(chrome.driver, 20).until(lambda drv: not drv.current_url.startswith(upstream["base"]))


def signed_in(chrome, app) -> dict:
    chrome.wait_url(app + "/")
    assert chrome.text("h1") == "signed in", chrome.text()
    return chrome.attributes(app)


def test_plain_login(chrome, upstream):
    idp_encrypts(upstream, False)
    login(chrome, upstream, d.PERSON_OWN_NAME_ONLY)
    got = signed_in(chrome, upstream["app"])
    assert got["ActingSubjectID"] == d.PERSON_OWN_NAME_ONLY and got["ActingSubjectName"] == "An Peeters"


def test_an_assertion_the_upstream_encrypts_with_aes_cbc_is_refused(chrome, upstream, live, caplog):
    # SimpleSAMLphp 1.19 (saml2 v4, EncryptedAssertion::setAssertion) always encrypts an assertion
    # for an RSA key with AES-128-CBC, whatever sharedkey_algorithm says; the broker accepts only
    # AES-GCM (CBC is open to padding-oracle attacks), so this login cannot succeed
    idp_encrypts(upstream, True)
    login(chrome, upstream, d.PERSON_OWN_NAME_ONLY)
    # the broker refuses the answer and, as the side that received the application's request,
    # answers the application with a failure status (issue 16, item 10)
    chrome.wait_url(upstream["app"] + "/acs")
    assert chrome.text("h1").startswith("refused: SAML provider returned Responder error"), chrome.text()
    assert "aes128-cbc" in caplog.text and "weak or unknown algorithm" in caplog.text
    chrome.open(upstream["app"] + "/")
    assert chrome.text("h1") == "anonymous"


def test_login_through_the_chooser(chrome, upstream):
    idp_encrypts(upstream, False)
    login(chrome, upstream, d.PERSON_EXECUTOR)
    live_stack.choose(chrome, "Emmaüs", upstream["app"] + "/")
    got = signed_in(chrome, upstream["app"])
    assert got["LoginKind"] == "mandate" and got["LegalSubjectName"] == "Emmaüs"


def test_single_logout_reaches_the_upstream(chrome, upstream):
    idp_encrypts(upstream, False)
    login(chrome, upstream, d.PERSON_OWN_NAME_ONLY)
    signed_in(chrome, upstream["app"])
    chrome.open(upstream["app"] + "/logout")
    chrome.wait_url(upstream["app"] + "/slo")
    assert chrome.text("h1") == "logged out", chrome.text()
    # SimpleSAMLphp's session ended too: a new login asks for the password again
    chrome.open(upstream["app"] + "/login")
    chrome.wait_url(upstream["base"] + "/module.php/core/loginuserpass.php")
    assert chrome.driver.find_elements(By.CSS_SELECTOR, "input[name=password]")
