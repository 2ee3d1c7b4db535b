"""SAML metadata of the parties the broker trusts, read from the operator's files.

Only these documents supply keys and endpoints: never a message's own KeyInfo, never a URL that a
message names.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

import xmlsec
from lxml import etree

from broker.saml import ns
from broker.saml.errors import SamlError
from broker.saml.keys import verification_key
from broker.saml.metadata_folder import MetadataFolder
from broker.saml.metadata_sources import (
    RETRY_AFTER_FAILURE,
    Accepted,
    Refused,
    Source,
    describe,
    load,
    load_cached,
    now,
)
from broker.saml.timefmt import parse_instant
from broker.saml.xmlsafe import text_of

log = logging.getLogger("broker.metadata")


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


def _expired(descriptor: etree._Element, current: datetime | None) -> bool:
    value = descriptor.get("validUntil")
    return bool(current and value) and parse_instant(value, "validUntil") <= current


def read_entities(
    root: etree._Element, source: str, current: datetime | None = None
) -> list[tuple[str, ServiceProvider | None, IdentityProvider | None]]:
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
        if _expired(descriptor, current):
            log.warning(
                "metadata %s: entity %s refused: expired (validUntil %s)",
                source,
                entity_id,
                descriptor.get("validUntil"),
            )
            continue
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


@dataclass(frozen=True)
class EntityInfo:
    """Where an entity's metadata came from, for `broker metadata list` and the logs."""

    entity_id: str
    source: str
    origin: str  # "folder", "file", "fetched" or "cache"
    valid_until: datetime | None
    roles: tuple[str, ...]


class MetadataRegistry:
    """Every trusted entity, by entityID and role: the metadata folder plus the configured sources.

    Files in the folder are the operator's own trust decision and need no signature. Configured
    sources (URLs or files) need their pinned signer's signature and a validUntil in the future;
    a refused refresh keeps the last good copy. Refresh is lazy: a lookup notices a source whose
    cacheDuration has run out and refreshes it there (one thread at a time, the others go on with
    what is loaded), so no background thread is needed and every worker process refreshes itself.
    """

    def __init__(
        self,
        folder: str,
        sources: list[dict] | tuple[Source, ...] = (),
        cache_dir: str | None = None,
        fetch_timeout: float = 10.0,
        clock=now,
        check_interval: float = 2.0,
    ):
        self.folder = folder
        self.feeds = tuple(s if isinstance(s, Source) else Source.from_config(s) for s in sources)
        self.cache_dir = cache_dir
        self.fetch_timeout = fetch_timeout
        self.clock = clock
        self.service_providers: dict[str, ServiceProvider] = {}
        self.identity_providers: dict[str, IdentityProvider] = {}
        self.sources: dict[str, str] = {}
        self.entities: dict[str, EntityInfo] = {}
        self._accepted: dict[Source, Accepted] = {}
        self._folder = MetadataFolder(
            folder, (s.path for s in self.feeds if s.path), lambda root, path: read_entities(root, path), check_interval
        )
        self._lock = threading.Lock()
        self.outcomes: dict[str, str] = {}  # source location -> outcome of the last attempt
        self.load()

    def load(self) -> None:
        """Read the folder and every source afresh."""
        with self._lock:
            self._folder.load()
            current = self.clock()
            self.outcomes = {source.location: self._refresh_source(source, current) for source in self.feeds}
            self._rebuild(current)

    def refresh(self, force: bool = False) -> dict[str, str]:
        """Refresh the sources that are due (all with force); returns location -> outcome."""
        with self._lock:
            return self._refresh_due(force)

    def _refresh_due(self, force: bool) -> dict[str, str]:
        current = self.clock()
        due = [s for s in self.feeds if force or s not in self._accepted or self._accepted[s].refresh_at <= current]
        outcomes = {s.location: self._refresh_source(s, current) for s in due}
        self.outcomes.update(outcomes)
        if due:
            self._rebuild(current)
        return outcomes

    @property
    def check_interval(self) -> float:
        """How often (seconds) a lookup looks at the folder's files for changes."""
        return self._folder.check_interval

    @check_interval.setter
    def check_interval(self, seconds: float) -> None:
        self._folder.check_interval = seconds

    @property
    def folder_errors(self) -> tuple[tuple[str, str], ...]:
        """(file, reason) for each folder file refused right now (its last good version, if any, in use)."""
        return self._folder.errors

    def _maybe_refresh(self) -> None:
        current = self.clock()
        sources_due = any(s not in self._accepted or self._accepted[s].refresh_at <= current for s in self.feeds)
        if not sources_due and not self._folder.due():
            return
        if self._lock.acquire(blocking=False):  # another thread refreshing: go on with what is loaded
            try:
                folder_changed = self._folder.due() and self._folder.refresh()
                if sources_due:
                    self._refresh_due(False)  # rebuilds
                elif folder_changed:
                    self._rebuild(current)
            finally:
                self._lock.release()

    def _refresh_source(self, source: Source, current: datetime) -> str:
        try:
            accepted = load(source, self.cache_dir, current, self.fetch_timeout)
        except Refused as refusal:
            return self._keep_last_good(source, current, str(refusal))
        self._accepted[source] = accepted
        log.info(
            "metadata source %s accepted (%s): valid until %s, next refresh %s",
            source.location,
            accepted.origin,
            describe(accepted.valid_until),
            describe(accepted.refresh_at),
        )
        return "accepted"

    def _keep_last_good(self, source: Source, current: datetime, reason: str) -> str:
        previous = self._accepted.get(source)
        if previous is not None and (previous.valid_until is None or previous.valid_until > current):
            self._accepted[source] = Accepted(
                source,
                previous.root,
                previous.valid_until,
                min(current + RETRY_AFTER_FAILURE, previous.valid_until or current + RETRY_AFTER_FAILURE),
                previous.origin,
            )
            log.warning(
                "metadata source %s REFUSED: %s; keeping the last good copy (valid until %s)",
                source.location,
                reason,
                describe(previous.valid_until),
            )
            return f"refused ({reason}); last good copy kept"
        cached = load_cached(source, self.cache_dir, current)
        if cached is not None:
            self._accepted[source] = cached
            log.warning(
                "metadata source %s REFUSED: %s; using the last good copy from the cache (valid until %s)",
                source.location,
                reason,
                describe(cached.valid_until),
            )
            return f"refused ({reason}); cached copy in use"
        self._accepted.pop(source, None)
        log.error("metadata source %s REFUSED: %s; no good copy, its entities are unknown", source.location, reason)
        return f"refused ({reason}); no good copy"

    def _rebuild(self, current: datetime) -> None:
        documents = [(path, root, "folder", _root_expiry(root)) for path, root in self._folder.documents]
        documents += [
            (s.location, a.root, a.origin, a.valid_until) for s, a in self._accepted.items() if s in self.feeds
        ]
        sps, idps, entities = {}, {}, {}
        for location, root, origin, valid_until in documents:
            if origin == "folder" and valid_until is not None and valid_until <= current:
                log.warning("metadata %s REFUSED: expired (validUntil %s)", location, describe(valid_until))
                continue
            for entity_id, sp, idp in read_entities(root, location, current):
                if entity_id in entities:
                    log.warning(
                        "metadata %s: entity %s already known from %s; ignored here",
                        location,
                        entity_id,
                        entities[entity_id].source,
                    )
                    continue
                roles = tuple(r for r, present in (("sp", sp), ("idp", idp)) if present)
                entities[entity_id] = EntityInfo(entity_id, location, origin, valid_until, roles)
                if sp:
                    sps[entity_id] = sp
                if idp:
                    idps[entity_id] = idp
        self.service_providers, self.identity_providers, self.entities = sps, idps, entities
        self.sources = {e: info.source for e, info in entities.items()}
        log.info("metadata loaded: %d applications, %d identity providers", len(sps), len(idps))

    def service_provider(self, entity_id: str) -> ServiceProvider | None:
        self._maybe_refresh()
        return self.service_providers.get(entity_id)

    def identity_provider(self, entity_id: str) -> IdentityProvider | None:
        self._maybe_refresh()
        return self.identity_providers.get(entity_id)


def _root_expiry(root: etree._Element) -> datetime | None:
    value = root.get("validUntil")
    return parse_instant(value, "validUntil") if value else None
