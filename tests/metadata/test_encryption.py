"""Assertion encryption: AES-GCM (AES-256-GCM by default) with RSA-OAEP key transport, the
application's EncryptionMethod honoured when it is on the allowed list; checked in the XML."""

import pytest
from lxml import etree

from broker.policy import Policy
from broker.saml import crypto, ns
from broker.saml.idp import Authentication, build_response
from broker.saml.keys import load_decryption_key, load_signing_key
from broker.saml.metadata import read_entities
from broker.saml.settings import SamlSettings
from tests.metadata.helpers import sp_entity

AES128_CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
TRIPLEDES = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"


def application(sp_keys, methods: list[str]):
    """The application's metadata with these EncryptionMethods in its encryption KeyDescriptor."""
    entity = sp_entity("http://localhost:8100", *sp_keys)
    role = entity.find(ns.q("md", "SPSSODescriptor"))
    for descriptor in role.findall(ns.q("md", "KeyDescriptor")):
        if descriptor.get("use") == "encryption":
            for method in descriptor.findall(ns.q("md", "EncryptionMethod")):
                descriptor.remove(method)
            for algorithm in methods:
                etree.SubElement(descriptor, ns.q("md", "EncryptionMethod"), Algorithm=algorithm)
    ((_, sp, _),) = read_entities(entity, "test")
    return sp


def encrypted_response(demo, sp):
    settings = SamlSettings(
        base_url="http://localhost:8080",
        signing_key=load_signing_key(demo.broker["SIGNING_KEY"], demo.broker["SIGNING_CERT"]),
        decryption_key_path=None,
        upstream_entity_id="x",
    )
    policy = Policy(entity_id=sp.entity_id, sign_response=True, sign_assertion=False, encrypt_assertion=True)
    claims = {"ActingSubjectID": "79031510459", "LegalSubjectID": "79031510459", "LoginKind": "own_name"}
    response = build_response(
        settings,
        sp,
        policy,
        "_req",
        sp.consumer().location,
        claims,
        ("nid", ns.NAMEID_ENTITY),
        Authentication("2024-01-01T00:00:00Z", ns.AC_UNSPECIFIED, "_s"),
    )
    return etree.fromstring(etree.tostring(response))


def algorithms(response):
    data = response.find(f"{ns.q('saml', 'EncryptedAssertion')}/{ns.q('xenc', 'EncryptedData')}")
    content = data.find(ns.q("xenc", "EncryptionMethod")).get("Algorithm")
    transport = data.find(f".//{ns.q('xenc', 'EncryptedKey')}/{ns.q('xenc', 'EncryptionMethod')}").get("Algorithm")
    return content, transport


@pytest.mark.parametrize(
    "listed, expected",
    [
        ([], ns.AES256_GCM),
        ([ns.AES128_GCM], ns.AES128_GCM),
        ([ns.AES256_GCM, ns.AES128_GCM], ns.AES256_GCM),
        ([AES128_CBC, TRIPLEDES], ns.AES256_GCM),  # not on the allowed list: ignored
        ([TRIPLEDES, ns.AES128_GCM], ns.AES128_GCM),
    ],
)
def test_encryption_algorithm_in_the_xml(demo, sp_keys, listed, expected):
    response = encrypted_response(demo, application(sp_keys, listed))
    content, transport = algorithms(response)
    assert content == expected
    assert transport == ns.RSA_OAEP_MGF1P
    assert response.find(ns.q("saml", "Assertion")) is None
    every = {m.get("Algorithm") for m in response.iter(ns.q("xenc", "EncryptionMethod"))}
    assert not every & {AES128_CBC, TRIPLEDES, "http://www.w3.org/2001/04/xmlenc#aes256-cbc"}
    # and the application can open it with its own key
    data = response.find(f"{ns.q('saml', 'EncryptedAssertion')}/{ns.q('xenc', 'EncryptedData')}")
    assertion = crypto.decrypt(data, load_decryption_key(sp_keys[0]))
    assert assertion.tag == ns.q("saml", "Assertion")


def test_weak_algorithms_are_refused_by_the_crypto_layer(sp_keys):
    element = etree.fromstring(b'<a xmlns="urn:x">secret</a>')
    wrapper = etree.Element("w")
    wrapper.append(element)
    with pytest.raises(ValueError, match="refusing"):
        crypto.encrypt(element, load_decryption_key(sp_keys[0]), AES128_CBC)
