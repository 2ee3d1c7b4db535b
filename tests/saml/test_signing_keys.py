"""The keys xmlsec gets carry no certificate (xmlsec copies a key into every signature context, and
a certificate made that copy cost most of a context): the signatures and what they verify stay as
they were with certificate-bound keys."""

import pytest
import xmlsec
from lxml import etree

from broker.saml import crypto, ns
from broker.saml.certgen import generate
from broker.saml.errors import SamlError
from broker.saml.keys import certificate_key, load_signing_key, verification_key

RESPONSE = (
    b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
    b'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0">'
    b"<saml:Issuer>x</saml:Issuer><samlp:Status/></samlp:Response>"
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name, kind in (("rsa", "rsa"), ("ec", "ec"), ("other", "rsa")):
        key, cert = str(folder / f"{name}.key"), str(folder / f"{name}.crt")
        generate(key, cert, name, kind=kind, bits=2048)
        made[name] = (key, cert)
    return made


def _signed_with_certificate_bound_key(key_path: str, cert_path: str) -> bytes:
    """As crypto.sign signed before: xmlsec writing KeyInfo from a key that carries its certificate."""
    element = etree.fromstring(RESPONSE)
    signature = xmlsec.template.create(
        element, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256, ns="ds"
    )
    reference = xmlsec.template.add_reference(signature, xmlsec.constants.TransformSha256, uri="#_r")
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformExclC14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    element.find(ns.q("saml", "Issuer")).addnext(signature)
    key = xmlsec.Key.from_file(key_path, xmlsec.constants.KeyDataFormatPem)
    key.load_cert_from_file(cert_path, xmlsec.constants.KeyDataFormatPem)
    context = xmlsec.SignatureContext()
    context.key = key
    context.register_id(element, "ID")
    context.sign(signature)
    return etree.tostring(element)


def test_a_signed_message_is_byte_for_byte_what_a_certificate_bound_key_made(keys):
    signing_key = load_signing_key(*keys["rsa"])
    element = etree.fromstring(RESPONSE)
    crypto.sign(element, signing_key)
    assert etree.tostring(element) == _signed_with_certificate_bound_key(*keys["rsa"])


def test_keyinfo_carries_the_certificate_for_ec_keys_too(keys):
    signing_key = load_signing_key(*keys["ec"])
    element = etree.fromstring(RESPONSE)
    crypto.sign(element, signing_key)
    certificate = element.find(f".//{ns.q('ds', 'X509Certificate')}").text
    assert "".join(certificate.split()) == signing_key.certificate_b64
    crypto.verify_enveloped(etree.fromstring(etree.tostring(element)), [verification_key(signing_key.certificate_b64)])


def test_the_verification_key_verifies_its_own_signatures_only(keys):
    signing_key, other = load_signing_key(*keys["rsa"]), load_signing_key(*keys["other"])
    element = etree.fromstring(RESPONSE)
    crypto.sign(element, signing_key)
    received = etree.fromstring(etree.tostring(element))
    crypto.verify_enveloped(received, [verification_key(signing_key.certificate_b64)])
    with pytest.raises(SamlError, match="signature is not valid"):
        crypto.verify_enveloped(received, [verification_key(other.certificate_b64)])
    query = b"SAMLRequest=abc&SigAlg=" + signing_key.algorithm.encode()
    signature = crypto.sign_query(query, signing_key)
    crypto.verify_query(query, signing_key.algorithm, signature, [verification_key(signing_key.certificate_b64)])
    with pytest.raises(SamlError, match="signature is not valid"):
        crypto.verify_query(query, signing_key.algorithm, signature, [verification_key(other.certificate_b64)])


def test_a_certificate_xmlsec_refuses_is_refused_as_before():
    for load in (verification_key, certificate_key):
        with pytest.raises(xmlsec.Error):
            load("TUlJQ2Jv")  # base64 of no certificate


def test_the_signature_template_is_built_once_and_copied_untouched(keys):
    """crypto.sign copies one template per key: each message gets its own Reference and signature,
    and the cached template stays unsigned for the next message."""
    signing_key = load_signing_key(*keys["rsa"])
    first, second = etree.fromstring(RESPONSE), etree.fromstring(RESPONSE.replace(b'ID="_r"', b'ID="_s"'))
    crypto.sign(first, signing_key)
    crypto.sign(second, signing_key)
    template = crypto._template(signing_key.algorithm, signing_key.certificate_b64)
    assert crypto._template.cache_info().hits >= 1
    assert template.findtext(f"{ns.q('ds', 'SignatureValue')}") in (None, "")
    assert template.getparent() is None
    verifier = verification_key(signing_key.certificate_b64)
    for element, element_id in ((first, "_r"), (second, "_s")):
        reference = element.find(f"{ns.q('ds', 'Signature')}/{ns.q('ds', 'SignedInfo')}/{ns.q('ds', 'Reference')}")
        assert reference.get("URI") == "#" + element_id
        crypto.verify_enveloped(element, [verifier])
