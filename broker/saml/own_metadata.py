"""The broker's own metadata: an IdP for applications, an SP for the upstream authenticator."""

from datetime import timedelta

from lxml import etree

from broker.policy.model import NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED
from broker.saml import crypto, ns
from broker.saml.keys import certificate_b64
from broker.saml.messages import now
from broker.saml.settings import SamlSettings
from broker.saml.state_ids import new_message_id
from broker.saml.timefmt import format_instant

VALIDITY = timedelta(days=7)
CACHE_DURATION = "PT6H"


def _md(local: str, parent=None, **attrs):
    node = etree.Element(ns.q("md", local), nsmap={"md": ns.MD, "ds": ns.DS}) if parent is None else etree.SubElement(parent, ns.q("md", local))
    for name, value in attrs.items():
        node.set(name, value)
    return node


def _key(role, use: str, certificate: str) -> None:
    descriptor = _md("KeyDescriptor", role, use=use)
    info = etree.SubElement(descriptor, ns.q("ds", "KeyInfo"))
    data = etree.SubElement(info, ns.q("ds", "X509Data"))
    etree.SubElement(data, ns.q("ds", "X509Certificate")).text = certificate


def _entity(entity_id: str):
    return _md("EntityDescriptor", entityID=entity_id, ID=new_message_id(),
               validUntil=format_instant(now() + VALIDITY), cacheDuration=CACHE_DURATION)


def idp_metadata(settings: SamlSettings) -> bytes:
    entity = _entity(settings.idp_entity_id)
    role = _md("IDPSSODescriptor", entity, protocolSupportEnumeration=ns.SAMLP, WantAuthnRequestsSigned="false")
    _key(role, "signing", settings.signing_key.certificate_b64)
    for binding in (ns.BINDING_REDIRECT, ns.BINDING_POST):
        _md("SingleLogoutService", role, Binding=binding, Location=settings.idp_slo_url)
    for fmt in (NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED):
        _md("NameIDFormat", role).text = fmt
    for binding in (ns.BINDING_REDIRECT, ns.BINDING_POST):
        _md("SingleSignOnService", role, Binding=binding, Location=settings.sso_url)
    crypto.sign(entity, settings.signing_key)
    return etree.tostring(entity, xml_declaration=True, encoding="UTF-8")


def sp_metadata(settings: SamlSettings, encryption_cert_pem: bytes | None = None) -> bytes:
    entity = _entity(settings.sp_entity_id)
    role = _md("SPSSODescriptor", entity, protocolSupportEnumeration=ns.SAMLP,
               AuthnRequestsSigned="true", WantAssertionsSigned="true")
    _key(role, "signing", settings.signing_key.certificate_b64)
    if encryption_cert_pem:
        _key(role, "encryption", certificate_b64(encryption_cert_pem))
        descriptor = role.findall(ns.q("md", "KeyDescriptor"))[-1]
        for algorithm in (ns.AES256_GCM, ns.AES128_GCM, ns.RSA_OAEP_MGF1P):
            _md("EncryptionMethod", descriptor, Algorithm=algorithm)
    for binding in (ns.BINDING_REDIRECT, ns.BINDING_POST):
        _md("SingleLogoutService", role, Binding=binding, Location=settings.sp_slo_url)
    _md("AssertionConsumerService", role, Binding=ns.BINDING_POST, Location=settings.acs_url, index="0", isDefault="true")
    crypto.sign(entity, settings.signing_key)
    return etree.tostring(entity, xml_declaration=True, encoding="UTF-8")
