"""Encrypted upstream assertions: decrypted only in process, never from an external reference, and
only with AES-GCM (CBC's padding oracle is refused)."""

import pytest
import xmlsec
from lxml import etree

from broker.saml import crypto
from tests.conftest import APP
from tests.security.forge import (
    assert_refused,
    assertion,
    post_acs,
    q,
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


def _broker_cert(demo):
    return xmlsec.Key.from_file(demo.broker["DECRYPTION_CERT"], xmlsec.constants.KeyDataFormatCertPem)


def encrypted_answer(demo, request_id, data_transform=None):
    inner = signed(assertion(request_id), upstream_key(demo))
    root = response(request_id)
    wrapper = sub(root, "saml", "EncryptedAssertion")
    wrapper.append(inner)
    if data_transform is None:
        crypto.encrypt(inner, _broker_cert(demo))
        return _reparsed(root)
    manager = xmlsec.KeysManager()
    manager.add_key(_broker_cert(demo))
    template = xmlsec.template.encrypted_data_create(
        inner, data_transform, type=xmlsec.constants.TypeEncElement, ns="xenc"
    )
    xmlsec.template.encrypted_data_ensure_cipher_value(template)
    key_info = xmlsec.template.encrypted_data_ensure_key_info(template, ns="ds")
    encrypted_key = xmlsec.template.add_encrypted_key(key_info, xmlsec.constants.TransformRsaOaep)
    xmlsec.template.encrypted_data_ensure_cipher_value(encrypted_key)
    context = xmlsec.EncryptionContext(manager)
    context.key = xmlsec.Key.generate(xmlsec.constants.KeyDataAes, 128, xmlsec.constants.KeyDataTypeSession)
    context.encrypt_xml(template, inner)
    return _reparsed(root)


def _reparsed(root):
    """Nodes xmlsec creates are invisible to lxml's find() until the tree is parsed again."""
    return etree.fromstring(etree.tostring(root))


def test_gcm_encrypted_signed_assertion_is_accepted(browser, parties, demo):
    request_id = start_login(browser)
    page = post_acs(browser, encrypted_answer(demo, request_id))
    assert page.url == APP + "/" and session_count(parties) == 1


def test_aes_cbc_is_refused(browser, parties, demo):
    request_id = start_login(browser)
    root = encrypted_answer(demo, request_id, xmlsec.constants.TransformAes128Cbc)
    assert root.find(f".//{q('xenc', 'EncryptionMethod')}").get("Algorithm").endswith("aes128-cbc")
    page = post_acs(browser, root)
    assert_refused(page, parties, browser, "The encrypted content uses a weak or unknown algorithm.")


def _cipher_reference(root):
    data = root.find(f".//{q('xenc', 'EncryptedData')}/{q('xenc', 'CipherData')}")
    data.remove(data[0])
    sub(data, "xenc", "CipherReference", URI="http://attacker.example/cipher")
    return root


def _retrieval_method(root):
    key_info = root.find(f".//{q('xenc', 'EncryptedData')}/{q('ds', 'KeyInfo')}")
    key_info.insert(
        0,
        etree.Element(
            q("ds", "RetrievalMethod"),
            URI="http://attacker.example/key",
            Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey",
        ),
    )
    return root


@pytest.mark.parametrize("change", [_cipher_reference, _retrieval_method], ids=["CipherReference", "RetrievalMethod"])
def test_external_references_in_encrypted_content_are_refused(browser, parties, demo, change):
    request_id = start_login(browser)
    page = post_acs(browser, change(encrypted_answer(demo, request_id)))
    assert_refused(page, parties, browser, "The encrypted content points outside the message.")


def test_encrypted_content_that_is_not_an_element_is_refused(browser, parties, demo):
    request_id = start_login(browser)
    root = encrypted_answer(demo, request_id)
    root.find(f".//{q('xenc', 'EncryptedData')}").set("Type", "http://www.w3.org/2001/04/xmlenc#Content")
    page = post_acs(browser, root)
    assert_refused(page, parties, browser)


def test_encrypted_unsigned_assertion_is_refused(browser, parties, demo):
    request_id = start_login(browser)
    root = response(request_id)
    inner = assertion(request_id)
    sub(root, "saml", "EncryptedAssertion").append(inner)
    crypto.encrypt(inner, _broker_cert(demo))
    page = post_acs(browser, root)
    assert_refused(page, parties, browser, "The sign-in answer is not signed as required.")
