"""Metadata sources the operator configured: a URL or a file, each with a pinned signing certificate.

A document is accepted only when its root carries a valid enveloped signature by the pinned
certificate and its validUntil lies in the future. An accepted document is written to the cache
folder; when a later fetch is refused, the last good copy stays in use (also after a restart), until
its own validUntil passes.
"""

import hashlib
import logging
import os
import re
import tempfile
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from broker.saml import crypto
from broker.saml.errors import SamlError
from broker.saml.keys import certificate_b64, verification_key
from broker.saml.timefmt import format_instant, parse_instant
from broker.saml.xmlsafe import parse

log = logging.getLogger("broker.metadata")

MAX_METADATA_BYTES = 20_000_000
DEFAULT_CACHE_DURATION = timedelta(hours=6)
RETRY_AFTER_FAILURE = timedelta(minutes=10)
_DURATION = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


class Refused(Exception):
    """A metadata document that must not be used; the message is the log line's reason."""


@dataclass(frozen=True)
class Source:
    """One configured source: exactly one of url and path; pinned certificates as PEM file paths."""

    url: str | None = None
    path: str | None = None
    signing_certs: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, entry: dict) -> "Source":
        url, path = entry.get("url"), entry.get("path")
        if bool(url) == bool(path):
            raise ValueError(f"metadata source needs exactly one of url and path: {entry!r}")
        pins = entry.get("signing_cert") or ()
        pins = (pins,) if isinstance(pins, str) else tuple(pins)
        if url and not pins:
            # a document fetched over the network is trusted only through its pinned signer
            raise ValueError(f"metadata source {url} needs a pinned signing_cert")
        if url and not url.startswith(("https://", "http://")):
            raise ValueError(f"metadata source {url}: only http(s) URLs")
        return cls(url=url, path=path, signing_certs=pins)

    @property
    def location(self) -> str:
        return self.url or self.path

    @property
    def cache_name(self) -> str:
        return hashlib.sha256(self.location.encode("utf-8")).hexdigest()[:24] + ".xml"


@dataclass(frozen=True)
class Accepted:
    """A checked document and when to look again."""

    source: Source
    root: etree._Element
    valid_until: datetime | None
    refresh_at: datetime
    origin: str  # "fetched", "file" or "cache"


def parse_duration(value: str | None) -> timedelta | None:
    """xs:duration as metadata's cacheDuration uses it (years as 365 days, months as 30)."""
    match = _DURATION.match(value or "")
    if not value or not match or value in ("P", "PT") or value.endswith("T"):
        return None
    y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in match.groups())
    return timedelta(days=365 * y + 30 * mo + 7 * w + d, hours=h, minutes=mi, seconds=s)


def fetch(url: str, timeout: float, max_bytes: int = MAX_METADATA_BYTES) -> bytes:
    """GET with a timeout and a size cap; redirects are followed by urllib only within http(s)."""
    request = urllib.request.Request(url, headers={"Accept": "application/samlmetadata+xml, application/xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - scheme checked in Source
            data = answer.read(max_bytes + 1)
    except OSError as exc:
        raise Refused(f"cannot fetch: {exc}") from None
    if len(data) > max_bytes:
        raise Refused(f"larger than {max_bytes} bytes")
    return data


def _pinned_keys(source: Source):
    keys = []
    for path in source.signing_certs:
        with open(path, "rb") as handle:
            keys.append(verification_key(certificate_b64(handle.read())))
    return keys


def check(data: bytes, source: Source, current: datetime) -> tuple[etree._Element, datetime | None, timedelta]:
    """The parsed root when the document may be used; raise Refused otherwise."""
    try:
        root = parse(data, limit=MAX_METADATA_BYTES, allow_comments=True)
    except SamlError as exc:
        raise Refused(f"not usable XML: {exc}") from None
    if source.signing_certs:
        if crypto.signature_of(root) is None:
            raise Refused("unsigned (a pinned signing certificate is configured)")
        try:
            crypto.verify_enveloped(root, _pinned_keys(source))
        except SamlError as exc:
            raise Refused(f"bad signature: {exc}") from None
    valid_until = None
    if root.get("validUntil"):
        try:
            valid_until = parse_instant(root.get("validUntil"), "validUntil")
        except SamlError:
            raise Refused(f"unreadable validUntil {root.get('validUntil')!r}") from None
        if valid_until <= current:
            raise Refused(f"expired: validUntil {root.get('validUntil')} is past")
    elif source.url:
        # without validUntil an old signed copy could be replayed for ever
        raise Refused("no validUntil on a fetched document")
    cache_for = parse_duration(root.get("cacheDuration")) or DEFAULT_CACHE_DURATION
    return root, valid_until, cache_for


def _accept(data: bytes, source: Source, current: datetime, origin: str) -> Accepted:
    root, valid_until, cache_for = check(data, source, current)
    refresh_at = current + cache_for
    if valid_until is not None:
        refresh_at = min(refresh_at, valid_until)
    return Accepted(source, root, valid_until, refresh_at, origin)


def _write_atomically(path: str, data: bytes) -> None:
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def load(source: Source, cache_dir: str | None, current: datetime, timeout: float) -> Accepted:
    """Read the source afresh; on success the document replaces the cached copy."""
    if source.url:
        data = fetch(source.url, timeout)
        origin = "fetched"
    else:
        try:
            with open(source.path, "rb") as handle:
                data = handle.read(MAX_METADATA_BYTES + 1)
        except OSError as exc:
            raise Refused(f"cannot read: {exc}") from None
        origin = "file"
    accepted = _accept(data, source, current, origin)
    if cache_dir:
        _write_atomically(os.path.join(cache_dir, source.cache_name), data)
    return accepted


def load_cached(source: Source, cache_dir: str | None, current: datetime) -> Accepted | None:
    """The last good copy on disk, checked again (it may have expired meanwhile)."""
    if not cache_dir:
        return None
    path = os.path.join(cache_dir, source.cache_name)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        cached = _accept(data, source, current, "cache")
    except Refused as exc:
        log.warning("metadata source %s: cached copy %s refused too: %s", source.location, path, exc)
        return None
    # the copy is good, but the source itself must be asked again soon
    return Accepted(
        source, cached.root, cached.valid_until, min(cached.refresh_at, current + RETRY_AFTER_FAILURE), "cache"
    )


def now() -> datetime:
    return datetime.now(UTC)


def describe(moment: datetime | None) -> str:
    return format_instant(moment) if moment else "-"
