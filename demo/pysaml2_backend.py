"""A pysaml2 crypto backend on python-xmlsec, so no pysaml2 entity needs the xmlsec1 program.

pysaml2 hands the backend whole documents as text with file names for keys; this adapter finds the
named element and delegates to broker.saml.crypto, which verifies only the element's own signature.
"""

import xmlsec
from lxml import etree
from saml2.samlp import Response
from saml2.sigver import CryptoBackend, RSACrypto, SamlBase, import_rsa_key_from_file, pre_encrypt_assertion

from broker.saml import crypto, ns
from broker.saml.errors import SamlError
from broker.saml.keys import load_decryption_key
from broker.saml.xmlsafe import parse

_TRUSTED_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _to_bytes(text) -> bytes:
    if isinstance(text, SamlBase):
        text = str(text)
    return text if isinstance(text, bytes) else text.encode("utf-8")


def _node_by_id(root: etree._Element, node_name: str, node_id: str | None) -> etree._Element:
    namespace, _, local = node_name.rpartition(":")
    tag = "{%s}%s" % (namespace, local)
    for element in root.iter(tag):
        if node_id is None or element.get("ID") == node_id:
            return element
    raise SamlError("The signed element was not found.", f"{node_name} {node_id}")


class XmlsecBackend(CryptoBackend):
    """Sign, verify, encrypt (AES-256-GCM + RSA-OAEP) and decrypt in process."""

    @property
    def version(self):
        return "1.3.0"  # pysaml2 only compares this with (1, 3) to pick xmlsec1 options

    def sign_statement(self, statement, node_name, key_file, node_id):
        root = etree.fromstring(_to_bytes(statement), _TRUSTED_PARSER)
        element = _node_by_id(root, node_name, node_id)
        signature = crypto.signature_of(element)
        context = xmlsec.SignatureContext()
        context.key = xmlsec.Key.from_file(key_file, xmlsec.constants.KeyDataFormatPem)
        context.register_id(element, "ID")
        context.sign(signature)
        return etree.tostring(root, encoding="unicode")

    def validate_signature(self, signedtext, cert_file, cert_type, node_name, node_id):
        if cert_type != "pem":
            raise SamlError("Only PEM certificates are supported.", cert_type)
        root = parse(_to_bytes(signedtext))
        element = _node_by_id(root, node_name, node_id)
        key = xmlsec.Key.from_file(cert_file, xmlsec.constants.KeyDataFormatCertPem)
        try:
            crypto.verify_enveloped(element, [key])
        except SamlError:
            return False
        return True

    def encrypt_assertion(self, statement, enc_key, template, key_type="aes256-gcm", node_xpath=None, node_id=None):
        if isinstance(statement, Response):
            statement = pre_encrypt_assertion(statement)
        root = etree.fromstring(_to_bytes(statement), _TRUSTED_PARSER)
        key = xmlsec.Key.from_file(enc_key, xmlsec.constants.KeyDataFormatCertPem)
        for assertion in root.iter(ns.q("saml", "Assertion")):
            if assertion.getparent().tag == ns.q("saml", "EncryptedAssertion"):
                crypto.encrypt(assertion, key)
        return etree.tostring(root, encoding="unicode")

    def decrypt(self, enctext, key_file):
        root = parse(_to_bytes(enctext))
        key = load_decryption_key(key_file)
        for encrypted in list(root.iter(ns.q("xenc", "EncryptedData"))):
            crypto.decrypt(encrypted, key)
        return etree.tostring(root, encoding="unicode")


def use_xmlsec(entity, key_file: str | None = None) -> None:
    """Put the in-process backend into a pysaml2 entity (Server, Saml2Client) built with
    crypto_backend "XMLSecurity", which keeps pysaml2 from looking for the xmlsec1 program."""
    entity.sec.crypto = XmlsecBackend()
    key_file = key_file or entity.config.key_file
    if key_file:
        entity.sec.sec_backend = RSACrypto(import_rsa_key_from_file(key_file))
