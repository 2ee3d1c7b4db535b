"""The broker's own metadata: an IdP for applications, an SP for the upstream authenticator."""

from dataclasses import dataclass, field
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
NAMEID_FORMATS = (NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED)
CONTACT_TYPES = ("technical", "support", "administrative", "billing", "other")


@dataclass(frozen=True)
class Publication:
    """What goes into the broker's metadata beside endpoints: keys, validity, who runs it.

    `extra_signing_certs` are published beside the key in use: the next key before a rollover is
    promoted (so partners learn it in advance), the previous one right after.
    """

    extra_signing_certs: tuple[str, ...] = ()
    validity: timedelta = VALIDITY
    cache_duration: str = CACHE_DURATION
    organization: dict | None = None  # name, display_name, url (each a string or {lang: string})
    contacts: tuple[dict, ...] = field(default_factory=tuple)  # type, company, given_name, surname, email, phone


def _localized(parent, local: str, value) -> None:
    for lang, text in value.items() if isinstance(value, dict) else (("en", value),):
        node = _md(local, parent)
        node.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
        node.text = text


def _organization_and_contacts(entity, publication: Publication) -> None:
    organization = publication.organization
    if organization:
        node = _md("Organization", entity)
        _localized(node, "OrganizationName", organization["name"])
        _localized(node, "OrganizationDisplayName", organization.get("display_name", organization["name"]))
        _localized(node, "OrganizationURL", organization["url"])
    for contact in publication.contacts:
        kind = contact.get("type", "technical")
        if kind not in CONTACT_TYPES:
            raise ValueError(f"contact type {kind!r} is not one of {', '.join(CONTACT_TYPES)}")
        node = _md("ContactPerson", entity, contactType=kind)
        for key, local in (("company", "Company"), ("given_name", "GivenName"), ("surname", "SurName")):
            if contact.get(key):
                _md(local, node).text = contact[key]
        for key, local, prefix in (("email", "EmailAddress", "mailto:"), ("phone", "TelephoneNumber", "")):
            values = contact.get(key) or ()
            for value in (values,) if isinstance(values, str) else values:
                _md(local, node).text = value if value.startswith(prefix) else prefix + value


def _signing_keys(role, settings: SamlSettings, publication: Publication) -> None:
    published = [settings.signing_key.certificate_b64]
    published += [c for c in publication.extra_signing_certs if c not in published]
    for certificate in published:
        _key(role, "signing", certificate)


def _md(local: str, parent=None, **attrs):
    node = (
        etree.Element(ns.q("md", local), nsmap={"md": ns.MD, "ds": ns.DS})
        if parent is None
        else etree.SubElement(parent, ns.q("md", local))
    )
    for name, value in attrs.items():
        node.set(name, value)
    return node


def _key(role, use: str, certificate: str) -> None:
    descriptor = _md("KeyDescriptor", role, use=use)
    info = etree.SubElement(descriptor, ns.q("ds", "KeyInfo"))
    data = etree.SubElement(info, ns.q("ds", "X509Data"))
    etree.SubElement(data, ns.q("ds", "X509Certificate")).text = certificate


def _entity(entity_id: str, publication: Publication):
    return _md(
        "EntityDescriptor",
        entityID=entity_id,
        ID=new_message_id(),
        validUntil=format_instant(now() + publication.validity),
        cacheDuration=publication.cache_duration,
    )


def _finish(entity, settings: SamlSettings, publication: Publication) -> bytes:
    _organization_and_contacts(entity, publication)
    crypto.sign(entity, settings.signing_key)  # RSA-SHA256 or ECDSA-SHA256, exclusive c14n
    return etree.tostring(entity, xml_declaration=True, encoding="UTF-8")


def idp_metadata(settings: SamlSettings, publication: Publication = Publication(), want_signed: bool = False) -> bytes:
    """`want_signed`: the broker refuses unsigned AuthnRequests of every application (one flag for all)."""
    entity = _entity(settings.idp_entity_id, publication)
    flag = "true" if want_signed or settings.want_authn_requests_signed else "false"
    role = _md("IDPSSODescriptor", entity, protocolSupportEnumeration=ns.SAMLP, WantAuthnRequestsSigned=flag)
    _signing_keys(role, settings, publication)
    for binding in (ns.BINDING_REDIRECT, ns.BINDING_POST):
        _md("SingleLogoutService", role, Binding=binding, Location=settings.idp_slo_url)
    for fmt in NAMEID_FORMATS:
        _md("NameIDFormat", role).text = fmt
    for binding in (ns.BINDING_REDIRECT, ns.BINDING_POST):
        _md("SingleSignOnService", role, Binding=binding, Location=settings.sso_url)
    return _finish(entity, settings, publication)


def sp_metadata(
    settings: SamlSettings,
    encryption_certs_pem: bytes | tuple[bytes, ...] | None = None,
    publication: Publication = Publication(),
) -> bytes:
    """encryption_certs_pem: the current certificate, or during a rollover the current and the next."""
    entity = _entity(settings.sp_entity_id, publication)
    role = _md(
        "SPSSODescriptor",
        entity,
        protocolSupportEnumeration=ns.SAMLP,
        AuthnRequestsSigned="true",
        WantAssertionsSigned="true",
    )
    _signing_keys(role, settings, publication)
    if isinstance(encryption_certs_pem, bytes):
        encryption_certs_pem = (encryption_certs_pem,)
    for certificate in encryption_certs_pem or ():
        _key(role, "encryption", certificate_b64(certificate))
        descriptor = role.findall(ns.q("md", "KeyDescriptor"))[-1]
        for algorithm in (ns.AES256_GCM, ns.AES128_GCM, ns.RSA_OAEP_MGF1P):
            _md("EncryptionMethod", descriptor, Algorithm=algorithm)
    for binding in (ns.BINDING_REDIRECT, ns.BINDING_POST):
        _md("SingleLogoutService", role, Binding=binding, Location=settings.sp_slo_url)
    for fmt in NAMEID_FORMATS:
        _md("NameIDFormat", role).text = fmt
    _md(
        "AssertionConsumerService",
        role,
        Binding=ns.BINDING_POST,
        Location=settings.acs_url,
        index="0",
        isDefault="true",
    )
    return _finish(entity, settings, publication)
