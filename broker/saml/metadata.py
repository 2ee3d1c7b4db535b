"""SAML metadata of the parties the broker trusts, read from the operator's files.

Only these documents supply keys and endpoints: never a message's own KeyInfo, never a URL that a
message names.
"""

import logging
import os
from dataclasses import dataclass, field

import xmlsec
from lxml import etree

from broker.saml import ns
from broker.saml.errors import SamlError
from broker.saml.keys import verification_key
from broker.saml.xmlsafe import parse, text_of

log = logging.getLogger("broker.metadata")
MAX_METADATA_BYTES = 20_000_000


@dataclass(frozen=True)
class Endpoint:
    binding: str
    location: str
    index: int | None = None
    is_default: bool = False
    response_location: str | None = None


@dataclass(frozen=True)
class Role:
    signing_certs: tuple[str, ...] = ()
    encryption_certs: tuple[str, ...] = ()
    encryption_methods: tuple[str, ...] = ()
    single_logout: tuple[Endpoint, ...] = ()

    @property
    def signing_keys(self) -> list[xmlsec.Key]:
        return [verification_key(c) for c in self.signing_certs]

    def logout_endpoint(self, bindings=(ns.BINDING_REDIRECT, ns.BINDING_POST)) -> Endpoint | None:
        return next((e for b in bindings for e in self.single_logout if e.binding == b), None)


@dataclass(frozen=True)
class ServiceProvider(Role):
    entity_id: str = ""
    assertion_consumers: tuple[Endpoint, ...] = ()
    authn_requests_signed: bool = False
    want_assertions_signed: bool = False

    def consumer(self, url: str | None = None, index: int | None = None) -> Endpoint:
        """The ACS to answer to: only one that metadata lists, never a URL from the request alone."""
        posts = [e for e in self.assertion_consumers if e.binding == ns.BINDING_POST]
        if url is not None:
            for endpoint in posts:
                if endpoint.location == url:
                    return endpoint
            raise SamlError("The application asked for an answer address its metadata does not list.", url)
        if index is not None:
            for endpoint in posts:
                if endpoint.index == index:
                    return endpoint
            raise SamlError("The application asked for an answer address its metadata does not list.", str(index))
        if not posts:
            raise SamlError("The application's metadata lists no HTTP-POST answer address.")
        return next((e for e in posts if e.is_default), min(posts, key=lambda e: e.index or 0))


@dataclass(frozen=True)
class IdentityProvider(Role):
    entity_id: str = ""
    single_sign_on: tuple[Endpoint, ...] = ()
    want_authn_requests_signed: bool = False

    def sso_endpoint(self) -> Endpoint:
        for binding in (ns.BINDING_REDIRECT, ns.BINDING_POST):
            for endpoint in self.single_sign_on:
                if endpoint.binding == binding:
                    return endpoint
        raise SamlError("The upstream authenticator's metadata lists no usable sign-on address.")


def _endpoints(role: etree._Element, local: str) -> tuple[Endpoint, ...]:
    found = []
    for e in role.iterfind(ns.q("md", local)):
        index = e.get("index")
        found.append(
            Endpoint(
                binding=e.get("Binding", ""),
                location=e.get("Location", ""),
                index=int(index) if index is not None and index.isdigit() else None,
                is_default=e.get("isDefault") in ("true", "1"),
                response_location=e.get("ResponseLocation"),
            )
        )
    return tuple(found)


def _keys(role: etree._Element, use: str) -> tuple[str, ...]:
    certs = []
    for descriptor in role.iterfind(ns.q("md", "KeyDescriptor")):
        if descriptor.get("use") not in (None, use):
            continue
        for cert in descriptor.iterfind(f".//{ns.q('ds', 'X509Certificate')}"):
            certs.append("".join((text_of(cert) or "").split()))
    return tuple(certs)


def _encryption_methods(role: etree._Element) -> tuple[str, ...]:
    return tuple(
        m.get("Algorithm", "")
        for d in role.iterfind(ns.q("md", "KeyDescriptor"))
        if d.get("use") in (None, "encryption")
        for m in d.iterfind(ns.q("md", "EncryptionMethod"))
    )


def _true(value: str | None) -> bool:
    return value in ("true", "1")


def read_entities(root: etree._Element, source: str) -> list[tuple[str, ServiceProvider | None, IdentityProvider | None]]:
    if root.tag == ns.q("md", "EntityDescriptor"):
        descriptors = [root]
    elif root.tag == ns.q("md", "EntitiesDescriptor"):
        descriptors = list(root.iter(ns.q("md", "EntityDescriptor")))
    else:
        raise SamlError("Not a SAML metadata document.", f"{source}: root {root.tag}")
    entities = []
    for descriptor in descriptors:
        entity_id = descriptor.get("entityID")
        if not entity_id:
            raise SamlError("Metadata entity without entityID.", source)
        sp = idp = None
        sp_role = descriptor.find(ns.q("md", "SPSSODescriptor"))
        if sp_role is not None:
            sp = ServiceProvider(
                entity_id=entity_id,
                signing_certs=_keys(sp_role, "signing"),
                encryption_certs=_keys(sp_role, "encryption"),
                encryption_methods=_encryption_methods(sp_role),
                single_logout=_endpoints(sp_role, "SingleLogoutService"),
                assertion_consumers=_endpoints(sp_role, "AssertionConsumerService"),
                authn_requests_signed=_true(sp_role.get("AuthnRequestsSigned")),
                want_assertions_signed=_true(sp_role.get("WantAssertionsSigned")),
            )
        idp_role = descriptor.find(ns.q("md", "IDPSSODescriptor"))
        if idp_role is not None:
            idp = IdentityProvider(
                entity_id=entity_id,
                signing_certs=_keys(idp_role, "signing"),
                encryption_certs=_keys(idp_role, "encryption"),
                single_logout=_endpoints(idp_role, "SingleLogoutService"),
                single_sign_on=_endpoints(idp_role, "SingleSignOnService"),
                want_authn_requests_signed=_true(idp_role.get("WantAuthnRequestsSigned")),
            )
        entities.append((entity_id, sp, idp))
    return entities


@dataclass
class MetadataRegistry:
    """Every entity from the metadata folder, by entityID and role."""

    folder: str
    service_providers: dict[str, ServiceProvider] = field(default_factory=dict)
    identity_providers: dict[str, IdentityProvider] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.load()

    def load(self) -> None:
        sps, idps, sources = {}, {}, {}
        for name in sorted(os.listdir(self.folder)):
            if not name.endswith(".xml"):
                continue
            path = os.path.join(self.folder, name)
            with open(path, "rb") as handle:
                root = parse(handle.read(), limit=MAX_METADATA_BYTES, allow_comments=True)
            for entity_id, sp, idp in read_entities(root, path):
                sources[entity_id] = path
                if sp:
                    sps[entity_id] = sp
                if idp:
                    idps[entity_id] = idp
        self.service_providers, self.identity_providers, self.sources = sps, idps, sources
        log.info("metadata loaded: %d applications, %d identity providers", len(sps), len(idps))

    def service_provider(self, entity_id: str) -> ServiceProvider | None:
        return self.service_providers.get(entity_id)

    def identity_provider(self, entity_id: str) -> IdentityProvider | None:
        return self.identity_providers.get(entity_id)
