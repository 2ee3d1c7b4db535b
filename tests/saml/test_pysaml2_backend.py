"""The pysaml2 crypto backend on python-xmlsec: signing, verifying, encrypting, decrypting, in process."""

import shutil

import pytest
from lxml import etree
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

from broker.saml import ns
from broker.saml.certgen import generate
from broker.saml.errors import SamlError
from demo.entities import DIGEST_SHA256, SHA256, load, with_backend
from demo.pysaml2_backend import XmlsecBackend
from demo.upstream import upstream_config


@pytest.fixture
def idp(demo):
    server = with_backend(
        Server(
            config=load(
                upstream_config(
                    "http://localhost:8090",
                    demo.upstream["key"],
                    demo.upstream["cert"],
                    demo.upstream["metadata_files"],
                ),
                "idp",
            )
        )
    )
    return server


def signed_response(idp, sp_entity_id, acs, encrypt_cert=None) -> str:
    response = idp.create_authn_response(
        {"urn:be:fgov:person:ssin": ["79031510459"]},
        in_response_to="_req1",
        destination=acs,
        sp_entity_id=sp_entity_id,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="x"),
        authn={"class_ref": ns.AC_UNSPECIFIED},
        sign_response=True,
        sign_assertion=True,
        sign_alg=SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return str(response)


def test_every_pysaml2_entity_of_the_project_uses_the_in_process_backend(parties, idp):
    assert isinstance(idp.sec.crypto, XmlsecBackend)
    assert isinstance(parties["application"].extensions["saml_client"].sec.crypto, XmlsecBackend)


def test_the_xmlsec1_program_is_not_needed(demo, monkeypatch, tmp_path):
    # with no program on PATH at all, pysaml2 entities are built and sign in process
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("xmlsec1") is None
    server = with_backend(
        Server(
            config=load(
                upstream_config(
                    "http://localhost:8090",
                    demo.upstream["key"],
                    demo.upstream["cert"],
                    demo.upstream["metadata_files"],
                ),
                "idp",
            )
        )
    )
    assert "SignatureValue" in signed_response(
        server, "http://localhost:8080/saml/sp/metadata", "http://localhost:8080/saml/sp/acs"
    )


def test_sign_then_verify_and_tamper(demo, idp):
    xml = signed_response(idp, "http://localhost:8080/saml/sp/metadata", "http://localhost:8080/saml/sp/acs")
    root = etree.fromstring(xml.encode())
    assertion = root.find(ns.q("saml", "Assertion"))
    backend = XmlsecBackend()
    node = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
    assert backend.validate_signature(xml, demo.upstream["cert"], "pem", node, assertion.get("ID"))
    assert root.find(".//" + ns.q("ds", "SignatureMethod")).get("Algorithm") == ns.RSA_SHA256
    assert root.find(".//" + ns.q("ds", "CanonicalizationMethod")).get("Algorithm") == ns.EXC_C14N

    tampered = xml.replace("79031510459", "88012226557")
    assert not backend.validate_signature(tampered, demo.upstream["cert"], "pem", node, assertion.get("ID"))


def test_verify_with_another_key_fails(demo, idp, tmp_path):
    generate(str(tmp_path / "other.key"), str(tmp_path / "other.crt"), "other")
    xml = signed_response(idp, "http://localhost:8080/saml/sp/metadata", "http://localhost:8080/saml/sp/acs")
    assertion_id = etree.fromstring(xml.encode()).find(ns.q("saml", "Assertion")).get("ID")
    assert not XmlsecBackend().validate_signature(
        xml, str(tmp_path / "other.crt"), "pem", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", assertion_id
    )


def test_encrypt_assertion_uses_aes_gcm_and_rsa_oaep_and_decrypts(demo, idp):
    from saml2.samlp import response_from_string

    xml = signed_response(idp, "http://localhost:8080/saml/sp/metadata", "http://localhost:8080/saml/sp/acs")
    backend = XmlsecBackend()
    encrypted = backend.encrypt_assertion(response_from_string(xml), demo.broker["DECRYPTION_CERT"], template=None)
    root = etree.fromstring(encrypted.encode())
    methods = [m.get("Algorithm") for m in root.iter(ns.q("xenc", "EncryptionMethod"))]
    assert methods == [ns.AES256_GCM, ns.RSA_OAEP_MGF1P]
    assert root.find(ns.q("saml", "Assertion")) is None and b"79031510459" not in encrypted.encode()

    decrypted = backend.decrypt(encrypted, demo.broker["DECRYPTION_KEY"])
    assert "79031510459" in decrypted
    with pytest.raises(SamlError):
        backend.decrypt(encrypted, demo.upstream["key"])  # the wrong private key
