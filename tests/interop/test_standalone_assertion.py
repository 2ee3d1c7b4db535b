"""An encrypted assertion must be a document of its own once decrypted: Shibboleth SP and node-saml
decrypt the EncryptedAssertion outside the Response and verify the assertion's signature there, so
every namespace the assertion uses has to be declared on the assertion itself (issue 16, item 1)."""

import base64

import xmlsec
from lxml import etree

from broker.saml import ns
from mandates_store import demo_data as d
from tests.conftest import BROKER
from tests.interop.test_python3_saml import login


def broker_signing_keys(browser) -> list[xmlsec.Key]:
    """The broker's signing certificates, as its published IdP metadata gives them."""
    metadata = etree.fromstring(browser.raw("GET", BROKER + "/saml/idp/metadata").text.encode())
    keys = []
    for descriptor in metadata.iter(ns.q("md", "KeyDescriptor")):
        if descriptor.get("use") in (None, "signing"):
            for cert in descriptor.iter(ns.q("ds", "X509Certificate")):
                der = base64.b64decode("".join(cert.text.split()))
                keys.append(xmlsec.Key.from_memory(der, xmlsec.constants.KeyDataFormatCertDer))
    assert keys, "the broker's metadata publishes no signing certificate"
    return keys


def decrypt_standalone(encrypted_data: etree._Element, key_path: str) -> bytes:
    """Decrypt the EncryptedData as the root of a document of its own, as Shibboleth and node-saml
    do; what comes out is serialized alone, with nothing of the Response around it."""
    alone = etree.fromstring(etree.tostring(encrypted_data))
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_file(key_path, xmlsec.constants.KeyDataFormatPem))
    decrypted = xmlsec.EncryptionContext(manager).decrypt(alone)
    return etree.tostring(decrypted)


def test_decrypted_assertion_verifies_as_a_document_of_its_own(onelogin, tmp_path):
    browser, application = onelogin(signing="both", encrypt=True, demanded="both")
    assert login(browser, d.PERSON_OWN_NAME_ONLY).text == "signed in"
    posted = etree.fromstring(application.extensions["posted"][-1])
    data = posted.find(f"{ns.q('saml', 'EncryptedAssertion')}/{ns.q('xenc', 'EncryptedData')}")
    # parsed again from its bytes alone: a prefix the assertion does not declare fails here
    assertion = etree.fromstring(decrypt_standalone(data, str(tmp_path / "onelogin.key")))
    assert assertion.tag == ns.q("saml", "Assertion")
    assert assertion.nsmap.get("saml") == ns.SAML
    signature = assertion.find(ns.q("ds", "Signature"))
    assert signature is not None
    errors = []
    for key in broker_signing_keys(browser):
        context = xmlsec.SignatureContext()
        context.key = key
        context.register_id(assertion, "ID")
        try:
            context.verify(signature)
            break
        except xmlsec.Error as exc:
            errors.append(str(exc))
    else:
        raise AssertionError(f"the standalone assertion's signature does not verify: {errors}")
    subject = assertion.find(f"{ns.q('saml', 'Subject')}/{ns.q('saml', 'NameID')}")
    assert subject is not None and subject.text
