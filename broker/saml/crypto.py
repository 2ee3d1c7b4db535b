"""XML signatures and encryption in process, on python-xmlsec.

`verify_enveloped` is the broker's own guard: it verifies exactly the element's own enveloped
Signature, profiled as SAML demands, with keys from metadata only. Callers read identity only from
the element they passed in, and only after it returned.
"""

import copy
import functools

import xmlsec
from lxml import etree

from broker.saml import ns
from broker.saml.errors import SamlError
from broker.saml.keys import SigningKey, transform_for
from broker.saml.xmlsafe import check_unique_ids, child, children

_ALLOWED_TRANSFORMS = frozenset({ns.ENVELOPED, ns.EXC_C14N})
_DIGEST_TRANSFORMS = {
    ns.SHA256: xmlsec.constants.TransformSha256,
    ns.SHA384: xmlsec.constants.TransformSha384,
    ns.SHA512: xmlsec.constants.TransformSha512,
}


def sign(element: etree._Element, signing_key: SigningKey) -> etree._Element:
    """Add an enveloped signature over `element` (which must carry an ID), after its Issuer."""
    element_id = element.get("ID")
    if not element_id:
        raise ValueError("only an element with an ID can be signed")
    signature = copy.deepcopy(_template(signing_key.algorithm, signing_key.certificate_b64))
    signature[0][2].set("URI", "#" + element_id)  # SignedInfo / Reference
    issuer = child(element, ns.q("saml", "Issuer"))
    if issuer is not None:
        issuer.addnext(signature)
    else:
        element.insert(0, signature)
    context = xmlsec.SignatureContext()
    context.key = signing_key.key
    context.register_id(element, "ID")
    context.sign(signature)
    return signature


@functools.lru_cache(maxsize=8)
def _template(algorithm: str, certificate_b64: str) -> etree._Element:
    """The Signature template of one key, built once and copied per message (its ~6 xmlsec calls
    and the certificate's line breaks cost more than a copy): exclusive C14N, SHA-256, the
    enveloped transform, and KeyInfo's certificate, which xmlsec leaves as it is, since the key it
    signs with carries none (keys.SigningKey). KeyInfo is outside what is signed."""
    holder = etree.Element("holder")
    signature = xmlsec.template.create(holder, xmlsec.constants.TransformExclC14N, transform_for(algorithm), ns="ds")
    reference = xmlsec.template.add_reference(signature, xmlsec.constants.TransformSha256, uri="#")
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformExclC14N)
    x509_data = xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    x509_data.text = "\n"  # as xmlsec writes a certificate from a key that carries it (64-character lines)
    node = etree.SubElement(x509_data, ns.q("ds", "X509Certificate"))
    node.text = "".join(certificate_b64[i : i + 64] + "\n" for i in range(0, len(certificate_b64), 64))
    node.tail = "\n"
    return signature


def _only_child(parent: etree._Element, tag: str, what: str) -> etree._Element:
    found = children(parent, tag)
    if len(found) != 1:
        raise SamlError("The SAML signature is not valid.", f"expected one {what}, found {len(found)}")
    return found[0]


def signature_of(element: etree._Element) -> etree._Element | None:
    """The element's own Signature: a direct child, never one found deeper."""
    found = children(element, ns.q("ds", "Signature"))
    if len(found) > 1:
        raise SamlError("The SAML signature is not valid.", "more than one Signature child")
    return found[0] if found else None


def verify_enveloped(element: etree._Element, keys: list[xmlsec.Key]) -> None:
    """Verify `element`'s own enveloped signature with one of `keys`, or raise SamlError."""
    if not keys:
        raise SamlError("The sender's signing key is unknown.", "no key in metadata")
    signature = signature_of(element)
    if signature is None:
        raise SamlError("The SAML message is not signed.", element.tag)
    check_unique_ids(element.getroottree().getroot())
    element_id = element.get("ID")
    if not element_id:
        raise SamlError("The SAML signature is not valid.", "signed element has no ID")
    signed_info = _only_child(signature, ns.q("ds", "SignedInfo"), "SignedInfo")
    c14n = _only_child(signed_info, ns.q("ds", "CanonicalizationMethod"), "CanonicalizationMethod")
    if c14n.get("Algorithm") != ns.EXC_C14N:
        raise SamlError("The SAML signature is not valid.", f"canonicalization {c14n.get('Algorithm')}")
    method = _only_child(signed_info, ns.q("ds", "SignatureMethod"), "SignatureMethod").get("Algorithm")
    if method not in ns.SIGNATURE_ALGORITHMS:
        raise SamlError("The SAML signature uses a weak or unknown algorithm.", str(method))
    reference = _only_child(signed_info, ns.q("ds", "Reference"), "Reference")
    if reference.get("URI") != "#" + element_id:
        raise SamlError("The SAML signature does not cover the signed element.", str(reference.get("URI")))
    transforms = [
        t.get("Algorithm") for t in reference.iterfind(f"{ns.q('ds', 'Transforms')}/{ns.q('ds', 'Transform')}")
    ]
    if ns.ENVELOPED not in transforms or len(transforms) > 2 or not set(transforms) <= _ALLOWED_TRANSFORMS:
        raise SamlError("The SAML signature is not valid.", f"transforms {transforms}")
    digest = _only_child(reference, ns.q("ds", "DigestMethod"), "DigestMethod").get("Algorithm")
    if digest not in ns.DIGEST_ALGORITHMS:
        raise SamlError("The SAML signature uses a weak or unknown algorithm.", str(digest))
    if child(signature, ns.q("ds", "Object")) is not None:
        raise SamlError("The SAML signature is not valid.", "ds:Object present")

    last_error = ""
    for key in keys:
        context = xmlsec.SignatureContext()
        context.enable_reference_transform(xmlsec.constants.TransformEnveloped)
        context.enable_reference_transform(xmlsec.constants.TransformExclC14N)
        context.enable_reference_transform(_DIGEST_TRANSFORMS[digest])
        context.enable_signature_transform(xmlsec.constants.TransformExclC14N)
        context.enable_signature_transform(transform_for(method))
        context.key = key
        context.register_id(element, "ID")
        try:
            context.verify(signature)
            return
        except xmlsec.Error as exc:
            last_error = str(exc)
    raise SamlError("The SAML signature is not valid.", last_error or "no key matched")


def sign_query(query: bytes, signing_key: SigningKey) -> bytes:
    """Sign the octets of a Redirect-binding query (SAMLRequest=…&RelayState=…&SigAlg=…)."""
    context = xmlsec.SignatureContext()
    context.key = signing_key.key
    return context.sign_binary(query, signing_key.binary_transform)


def verify_query(query: bytes, algorithm: str, signature: bytes, keys: list[xmlsec.Key]) -> None:
    if algorithm not in ns.SIGNATURE_ALGORITHMS:
        raise SamlError("The SAML signature uses a weak or unknown algorithm.", algorithm)
    if not keys:
        raise SamlError("The sender's signing key is unknown.", "no key in metadata")
    for key in keys:
        context = xmlsec.SignatureContext()
        context.key = key
        try:
            context.verify_binary(query, transform_for(algorithm), signature)
            return
        except xmlsec.Error:
            continue
    raise SamlError("The SAML signature is not valid.", "redirect signature did not verify")


_DATA_TRANSFORMS = {
    ns.AES256_GCM: (xmlsec.constants.TransformAes256Gcm, 256),
    ns.AES128_GCM: (xmlsec.constants.TransformAes128Gcm, 128),
}


def encrypt(element: etree._Element, certificate_key: xmlsec.Key, algorithm: str = ns.AES256_GCM) -> etree._Element:
    """Replace `element` by an xenc:EncryptedData: AES-GCM content, RSA-OAEP key transport."""
    if algorithm not in _DATA_TRANSFORMS:
        raise ValueError(f"refusing to encrypt with {algorithm}")
    transform, bits = _DATA_TRANSFORMS[algorithm]
    manager = xmlsec.KeysManager()
    manager.add_key(certificate_key)
    encrypted_data = xmlsec.template.encrypted_data_create(
        element, transform, type=xmlsec.constants.TypeEncElement, ns="xenc"
    )
    xmlsec.template.encrypted_data_ensure_cipher_value(encrypted_data)
    key_info = xmlsec.template.encrypted_data_ensure_key_info(encrypted_data, ns="ds")
    encrypted_key = xmlsec.template.add_encrypted_key(key_info, xmlsec.constants.TransformRsaOaep)
    xmlsec.template.encrypted_data_ensure_cipher_value(encrypted_key)
    context = xmlsec.EncryptionContext(manager)
    context.key = xmlsec.Key.generate(xmlsec.constants.KeyDataAes, bits, xmlsec.constants.KeyDataTypeSession)
    return context.encrypt_xml(encrypted_data, element)


def decrypt(encrypted_data: etree._Element, private_key: xmlsec.Key) -> etree._Element:
    """Decrypt one xenc:EncryptedData in place, refusing external references and weak ciphers."""
    for tag in ("CipherReference", "RetrievalMethod"):
        if (
            encrypted_data.find(f".//{{{ns.XENC}}}{tag}") is not None
            or encrypted_data.find(f".//{{{ns.DS}}}{tag}") is not None
        ):
            raise SamlError("The encrypted content points outside the message.", tag)
    method = child(encrypted_data, ns.q("xenc", "EncryptionMethod"))
    if method is None or method.get("Algorithm") not in ns.DATA_ENCRYPTION_ALGORITHMS:
        raise SamlError(
            "The encrypted content uses a weak or unknown algorithm.",
            str(method is not None and method.get("Algorithm")),
        )
    for key_method in encrypted_data.iterfind(f".//{ns.q('xenc', 'EncryptedKey')}/{ns.q('xenc', 'EncryptionMethod')}"):
        if key_method.get("Algorithm") not in ns.KEY_TRANSPORT_ALGORITHMS:
            raise SamlError("The encrypted content uses a weak or unknown algorithm.", str(key_method.get("Algorithm")))
    manager = xmlsec.KeysManager()
    manager.add_key(private_key)
    context = xmlsec.EncryptionContext(manager)
    try:
        return context.decrypt(encrypted_data)
    except xmlsec.Error as exc:
        raise SamlError("The encrypted content could not be decrypted.", str(exc)) from None
