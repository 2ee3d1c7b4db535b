"""Decryption key rollover: the next key is published beside the current one and both decrypt, so an
upstream that switches to the next certificate at any moment causes no failed login."""

import pytest
import xmlsec
from lxml import etree

from broker.saml import crypto, ns
from broker.saml.certgen import generate
from tests.conftest import APP
from tests.security.forge import (
    BROKER,
    assertion,
    post_acs,
    response,
    session_count,
    signed,
    start_login,
    sub,
    upstream_key,
)


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rollover")
    pairs = {}
    for name in ("next", "stranger"):
        pairs[name] = str(folder / f"{name}.key"), str(folder / f"{name}.crt")
        generate(*pairs[name], name, bits=2048)
    return pairs


def encrypted_for(demo, request_id, cert_path):
    inner = signed(assertion(request_id), upstream_key(demo))
    root = response(request_id)
    sub(root, "saml", "EncryptedAssertion").append(inner)
    crypto.encrypt(inner, xmlsec.Key.from_file(cert_path, xmlsec.constants.KeyDataFormatCertPem))
    return etree.fromstring(etree.tostring(root))


def encryption_certs(browser) -> list[str]:
    document = browser.raw("GET", BROKER + "/saml/sp/metadata").text.encode()
    role = etree.fromstring(document).find(ns.q("md", "SPSSODescriptor"))
    return [
        "".join(c.text.split())
        for d in role.iter(ns.q("md", "KeyDescriptor"))
        if d.get("use") == "encryption"
        for c in d.iter(ns.q("ds", "X509Certificate"))
    ]


def test_next_encryption_key_is_published_beside_the_current_one(broker_with, keys):
    browser, _ = broker_with(NEXT_DECRYPTION_KEY=keys["next"][0], NEXT_DECRYPTION_CERT=keys["next"][1])
    assert len(encryption_certs(browser)) == 2


@pytest.mark.parametrize("which", ["current", "next"])
def test_both_keys_decrypt_during_a_rollover(broker_with, keys, demo, which):
    browser, apps = broker_with(NEXT_DECRYPTION_KEY=keys["next"][0], NEXT_DECRYPTION_CERT=keys["next"][1])
    cert = demo.broker["DECRYPTION_CERT"] if which == "current" else keys["next"][1]
    page = post_acs(browser, encrypted_for(demo, start_login(browser), cert))
    assert page.url == APP + "/" and session_count(apps) == 1


def test_a_key_the_broker_does_not_hold_still_fails(broker_with, keys, demo):
    browser, apps = broker_with(NEXT_DECRYPTION_KEY=keys["next"][0], NEXT_DECRYPTION_CERT=keys["next"][1])
    post_acs(browser, encrypted_for(demo, start_login(browser), keys["stranger"][1]))
    assert session_count(apps) == 0
