"""The broker's published metadata, and the signing key rollover.

Rollover in three configuration steps, none of which fails a login:
1. publish: NEXT_SIGNING_KEY/NEXT_SIGNING_CERT set; the broker still signs with SIGNING_KEY, its
   metadata lists both certificates, so partners who re-read it learn the next key in advance;
2. promote: SIGNING_KEY_IN_USE = "next"; the broker signs with the next key and keeps publishing
   the current one beside it;
3. retire: the next key's files become SIGNING_KEY/SIGNING_CERT, NEXT_* and SIGNING_KEY_IN_USE go.
"""

import threading
import time

from broker.saml.keys import SigningKey, certificate_b64, load_signing_key
from broker.saml.metadata_sources import parse_duration
from broker.saml.own_metadata import Publication, idp_metadata, sp_metadata
from broker.saml.settings import SamlSettings
from broker.settings import Settings


def signing_keys(settings: Settings) -> tuple[SigningKey, tuple[str, ...]]:
    """The key the broker signs with, and the other certificates its metadata publishes."""
    current = load_signing_key(settings.signing_key, settings.signing_cert)
    if not settings.next_signing_cert:
        if settings.signing_key_in_use != "current":
            raise ValueError("signing_key_in_use = next needs next_signing_key and next_signing_cert")
        return current, ()
    if settings.signing_key_in_use == "next":
        if not settings.next_signing_key:
            raise ValueError("signing_key_in_use = next needs next_signing_key")
        return load_signing_key(settings.next_signing_key, settings.next_signing_cert), (current.certificate_b64,)
    with open(settings.next_signing_cert, "rb") as handle:
        return current, (certificate_b64(handle.read()),)


def signed_requests_demanded(policies, metadata) -> bool:
    """True when the broker refuses an unsigned AuthnRequest of every application it answers: each one
    with a policy must sign, by its policy or by its own metadata's AuthnRequestsSigned."""
    applications = policies.all()
    return bool(applications) and all(
        policy.require_signed_requests
        or getattr(metadata.service_provider(policy.entity_id), "authn_requests_signed", False)
        for policy in applications
    )


def own_metadata(settings: Settings, policies=None, metadata=None) -> "OwnMetadata":
    """The broker's metadata as configured; its .settings are the SAML settings the broker runs with.
    With the policy and metadata registries, WantAuthnRequestsSigned follows what they demand."""
    signing_key, extra = signing_keys(settings)
    encryption_certs = []
    for path in (settings.decryption_cert, settings.next_decryption_cert):  # rollover: both published
        if path:
            with open(path, "rb") as handle:
                encryption_certs.append(handle.read())
    published = OwnMetadata(settings.saml(signing_key), settings.publication(extra), tuple(encryption_certs))
    if policies is not None and metadata is not None:
        published.want_signed = lambda: signed_requests_demanded(policies, metadata)
    return published


class OwnMetadata:
    """The broker's two metadata documents, re-signed before their validUntil comes near.

    A long-running broker must never serve a document that has expired, nor re-sign on every
    request: each document is rebuilt once half its validity or its cacheDuration has passed.
    """

    def __init__(self, settings: SamlSettings, publication: Publication, encryption_certs_pem: tuple[bytes, ...]):
        self.settings, self.publication, self.encryption_certs_pem = settings, publication, encryption_certs_pem
        cache = parse_duration(publication.cache_duration) or publication.validity
        self.rebuild_after = min(publication.validity / 2, cache).total_seconds()
        self._built: dict[tuple, tuple[float, bytes]] = {}
        self._lock = threading.Lock()
        self.want_signed = lambda: False  # policies and metadata can change live: asked at each read

    def _get(self, kind: str, want_signed: bool = False) -> bytes:
        with self._lock:
            built = self._built.get((kind, want_signed))
            if built is None or time.monotonic() - built[0] >= self.rebuild_after:
                document = (
                    idp_metadata(self.settings, self.publication, want_signed)
                    if kind == "idp"
                    else sp_metadata(self.settings, self.encryption_certs_pem, self.publication)
                )
                built = self._built[(kind, want_signed)] = (time.monotonic(), document)
            return built[1]

    def idp(self) -> bytes:
        return self._get("idp", self.want_signed())

    def sp(self) -> bytes:
        return self._get("sp")
