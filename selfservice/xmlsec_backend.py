"""A pysaml2 crypto backend on python-xmlsec, in process, so the SP needs no xmlsec1 program.

It verifies only the named element's own enveloped signature, whose one Reference must point at
that element: a signature elsewhere in the document (wrapping) is never taken for it.
"""

import xmlsec
from lxml import etree
from saml2.sigver import CryptoBackend, RSACrypto, SamlBase, import_rsa_key_from_file

DS = "http://www.w3.org/2000/09/xmldsig#"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _to_bytes(text) -> bytes:
    if isinstance(text, SamlBase):
        text = str(text)
    return text if isinstance(text, bytes) else text.encode("utf-8")


def _element(root, node_name: str, node_id: str | None):
    namespace, _, local = node_name.rpartition(":")
    found = [e for e in root.iter("{%s}%s" % (namespace, local)) if node_id is None or e.get("ID") == node_id]
    if len(found) != 1:
        raise ValueError(f"expected one {node_name} with ID {node_id}, found {len(found)}")
    return found[0]


class XmlsecBackend(CryptoBackend):
    @property
    def version(self):
        return "1.3.0"  # pysaml2 only compares this to pick xmlsec1 options

    def sign_statement(self, statement, node_name, key_file, node_id):
        root = etree.fromstring(_to_bytes(statement), _PARSER)
        element = _element(root, node_name, node_id)
        signature = element.find(f"{{{DS}}}Signature")
        context = xmlsec.SignatureContext()
        context.key = xmlsec.Key.from_file(key_file, xmlsec.constants.KeyDataFormatPem)
        context.register_id(element, "ID")
        context.sign(signature)
        return etree.tostring(root, encoding="unicode")

    def validate_signature(self, signedtext, cert_file, cert_type, node_name, node_id):
        if cert_type != "pem":
            return False
        root = etree.fromstring(_to_bytes(signedtext), _PARSER)
        element = _element(root, node_name, node_id)
        signatures = element.findall(f"{{{DS}}}Signature")
        if len(signatures) != 1:
            return False
        references = signatures[0].findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
        if len(references) != 1 or references[0].get("URI") != "#" + (element.get("ID") or ""):
            return False
        context = xmlsec.SignatureContext()
        context.key = xmlsec.Key.from_file(cert_file, xmlsec.constants.KeyDataFormatCertPem)
        context.register_id(element, "ID")
        try:
            context.verify(signatures[0])
        except xmlsec.Error:
            return False
        return True

    def decrypt(self, enctext, key_file):
        raise ValueError("this SP asks for unencrypted assertions (its policy: encrypt_assertion false)")


def use_xmlsec(entity) -> None:
    """Put the in-process backend into a pysaml2 entity built with crypto_backend "XMLSecurity"."""
    entity.sec.crypto = XmlsecBackend()
    entity.sec.sec_backend = RSACrypto(import_rsa_key_from_file(entity.config.key_file))
