"""From the operator's settings to the broker's published metadata, and the signing key rollover.

Rollover in three configuration steps, none of which fails a login:
1. publish: NEXT_SIGNING_KEY/NEXT_SIGNING_CERT set; the broker still signs with SIGNING_KEY, its
   metadata lists both certificates, so partners who re-read it learn the next key in advance;
2. promote: SIGNING_KEY_IN_USE = "next"; the broker signs with the next key and keeps publishing
   the current one beside it;
3. retire: the next key's files become SIGNING_KEY/SIGNING_CERT, NEXT_* and SIGNING_KEY_IN_USE go.
"""

import threading
import time
from datetime import timedelta

from broker.config import DEFAULTS
from broker.saml.keys import SigningKey, certificate_b64, load_signing_key
from broker.saml.metadata_sources import parse_duration
from broker.saml.own_metadata import Publication, idp_metadata, sp_metadata
from broker.saml.settings import SamlSettings


def signing_keys(values: dict) -> tuple[SigningKey, tuple[str, ...]]:
    """The key the broker signs with, and the other certificates its metadata publishes."""
    current = load_signing_key(values["SIGNING_KEY"], values["SIGNING_CERT"])
    if not values.get("NEXT_SIGNING_CERT"):
        if values.get("SIGNING_KEY_IN_USE", "current") != "current":
            raise ValueError("SIGNING_KEY_IN_USE = next needs NEXT_SIGNING_KEY and NEXT_SIGNING_CERT")
        return current, ()
    if values.get("SIGNING_KEY_IN_USE", "current") == "next":
        if not values.get("NEXT_SIGNING_KEY"):
            raise ValueError("SIGNING_KEY_IN_USE = next needs NEXT_SIGNING_KEY")
        return load_signing_key(values["NEXT_SIGNING_KEY"], values["NEXT_SIGNING_CERT"]), (current.certificate_b64,)
    with open(values["NEXT_SIGNING_CERT"], "rb") as handle:
        return current, (certificate_b64(handle.read()),)


def publication(values: dict, extra_signing_certs: tuple[str, ...]) -> Publication:
    return Publication(
        extra_signing_certs=extra_signing_certs,
        validity=timedelta(days=float(values.get("METADATA_VALIDITY_DAYS", 7))),
        cache_duration=values.get("METADATA_CACHE_DURATION", "PT6H"),
        organization=values.get("ORGANIZATION") or None,
        contacts=tuple(values.get("CONTACTS") or ()),
    )


def settings_for(values: dict, signing_key: SigningKey) -> SamlSettings:
    """The broker's SAML settings from its configuration values, defaults where a value is absent
    (the app factory and `broker metadata export` both build them here)."""

    def value(name: str):
        return values.get(name, DEFAULTS[name])

    return SamlSettings(
        base_url=value("BASE_URL").rstrip("/"),
        signing_key=signing_key,
        decryption_key_path=value("DECRYPTION_KEY"),
        upstream_entity_id=value("UPSTREAM_ENTITY_ID") or "",
        upstream_id_attribute=value("UPSTREAM_ID_ATTRIBUTE"),
        upstream_signed=value("UPSTREAM_SIGNED"),
        clock_skew=int(value("CLOCK_SKEW")),
        request_max_age=int(value("REQUEST_MAX_AGE")),
    )


def own_metadata(values: dict) -> "OwnMetadata":
    signing_key, extra = signing_keys(values)
    encryption_cert = None
    if values.get("DECRYPTION_CERT"):
        with open(values["DECRYPTION_CERT"], "rb") as handle:
            encryption_cert = handle.read()
    return OwnMetadata(settings_for(values, signing_key), publication(values, extra), encryption_cert)


class OwnMetadata:
    """The broker's two metadata documents, re-signed before their validUntil comes near.

    A long-running broker must never serve a document that has expired, nor re-sign on every
    request: each document is rebuilt once half its validity or its cacheDuration has passed.
    """

    def __init__(self, settings: SamlSettings, publication: Publication, encryption_cert_pem: bytes | None):
        self.settings, self.publication, self.encryption_cert_pem = settings, publication, encryption_cert_pem
        cache = parse_duration(publication.cache_duration) or publication.validity
        self.rebuild_after = min(publication.validity / 2, cache).total_seconds()
        self._built: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def _get(self, kind: str) -> bytes:
        with self._lock:
            built = self._built.get(kind)
            if built is None or time.monotonic() - built[0] >= self.rebuild_after:
                document = (
                    idp_metadata(self.settings, self.publication)
                    if kind == "idp"
                    else sp_metadata(self.settings, self.encryption_cert_pem, self.publication)
                )
                built = self._built[kind] = (time.monotonic(), document)
            return built[1]

    def idp(self) -> bytes:
        return self._get("idp")

    def sp(self) -> bytes:
        return self._get("sp")
