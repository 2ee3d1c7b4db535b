"""What /readyz checks: what a login needs, each probe named, so that a failing one says what failed.

Every probe runs on each call (a load balancer's pace) and is cheap: the write probes open a new
connection and write one row (see broker.storage.database.probe_write and Store.probe_write), the
keys and certificates are parsed again only when their file changes. Nothing is remembered
between calls, so a repair turns the check green again without a restart.
"""

import datetime
import functools
import os

from cryptography import x509

from broker.saml.publishing import signing_keys
from broker.settings import Settings
from mandates_store.engines import SQLITE, engine_of

KEY_WARNING = datetime.timedelta(days=30)
MB = 1024 * 1024


def checks(ext: dict) -> dict[str, str]:
    settings: Settings = ext["settings"]
    return {
        "state_db": _probe(ext["state"].probe_write),
        "store_db": _probe(ext["store"].probe_write),
        # once PostgreSQL is an engine for the state or the store: its connection check goes here,
        # a write in a rolled-back transaction on a new connection, like the SQLite probes above
        "disk_space": _disk_space((settings.state_db, settings.store_db), int(settings.min_free_disk_mb)),
        "metadata": _metadata(ext),
        "policies": _policies(ext["policies"]),
        "signing_key": _probe(lambda: _signing_key(settings)),
    }


def _probe(probe) -> str:
    try:
        return probe() or "ok"
    except Exception as exc:  # any failure of a probe means not ready; its text says which
        return f"{type(exc).__name__}: {exc}"


def _disk_space(files: tuple[str, ...], minimum_mb: int) -> str:
    short = []
    local = (path for path in files if engine_of(path) == SQLITE)  # a database server's disk is its own
    for folder in dict.fromkeys(os.path.dirname(path) for path in local):
        try:
            stat = os.statvfs(folder)
        except OSError as exc:
            short.append(f"{folder}: {exc.strerror}")
            continue
        free = stat.f_bavail * stat.f_frsize
        if free < minimum_mb * MB:
            short.append(f"{folder}: {free // MB} MB free, below {minimum_mb} MB")
    return "; ".join(short) or "ok"


def _metadata(ext: dict) -> str:
    metadata = ext["metadata"]
    upstream = metadata.identity_provider(ext["saml_settings"].upstream_entity_id)
    if not (upstream and metadata.service_providers):
        return "upstream or applications missing"
    if metadata.folder_errors:  # like the policies: a refused file is a problem even with its last good copy
        return f"{len(metadata.folder_errors)} files refused"
    return "ok"


def _policies(policies) -> str:
    policies.refresh()
    return "ok" if policies.all() and not policies.errors else f"{len(policies.errors)} problems"


def _signing_key(settings: Settings) -> str | None:
    """The key the broker signs with, loadable as a restarted worker would load it (cached by
    the files' mtime in broker.saml.keys), and its certificate not about to expire."""
    signing_keys(settings)
    in_use_next = settings.signing_key_in_use == "next"
    cert = settings.next_signing_cert if in_use_next else settings.signing_cert
    expires = _expiry(cert, os.stat(cert).st_mtime)
    if expires - datetime.datetime.now(datetime.UTC) <= KEY_WARNING:
        return f"expires {expires:%Y-%m-%d}"
    return None


@functools.lru_cache(maxsize=8)
def _expiry(path: str, mtime: float) -> datetime.datetime:
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read()).not_valid_after_utc
