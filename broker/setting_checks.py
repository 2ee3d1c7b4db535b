"""The value checks of the settings table (broker/settings.py): what `broker serve` would trip on
later, found by `broker config check` first. Each takes a value and says why it fails, or None."""

import ipaddress
import os
import re


def at_least(minimum: int, what: str = ""):
    def check(value: int) -> str | None:
        return None if value >= minimum else f"must be {minimum}{what} or more, not {value}"

    return check


def positive(value: float) -> str | None:
    return None if value > 0 else f"must be more than 0, not {value}"


def duration(value: str) -> str | None:
    """An xs:duration, as metadata's cacheDuration publishes it."""
    from broker.saml.metadata_sources import parse_duration

    return None if parse_duration(value) else f"must be an xs:duration such as PT6H or P1D, not {value!r}"


_BIND_PATTERN = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})")


def bind_address(value: str) -> str | None:
    """HOST:PORT (an IPv6 host in brackets) or unix:PATH, as gunicorn takes them."""
    if value.startswith("unix:") and len(value) > len("unix:"):
        return None
    found = _BIND_PATTERN.fullmatch(value)
    if found is None or not 0 < int(found["port"]) < 65536:
        return f"must be HOST:PORT (e.g. 127.0.0.1:8080) or unix:PATH, not {value!r}"
    return None


def proxy_addresses(value: str) -> str | None:
    """gunicorn's forwarded_allow_ips: addresses or networks, comma-separated, or *."""
    if value.strip() == "*":
        return None
    for part in value.split(","):
        try:
            ipaddress.ip_network(part.strip())
        except ValueError:
            return f"must be IP addresses or networks, comma-separated (e.g. 10.0.0.5,10.0.1.0/24), or *, not {part.strip()!r}"
    return None


def _readable(path: str) -> tuple[bytes | None, str | None]:
    try:
        with open(path, "rb") as handle:
            return handle.read(), None
    except OSError as exc:
        return None, f"{path} cannot be read: {exc.strerror}"


def private_key_file(path: str) -> str | None:
    from cryptography.hazmat.primitives import serialization

    data, problem = _readable(path)
    if problem:
        return problem
    try:
        serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return f"{path} is not a PEM private key without a password"
    return None


def certificate_file(path: str) -> str | None:
    from cryptography import x509

    data, problem = _readable(path)
    if problem:
        return problem
    try:
        x509.load_pem_x509_certificate(data)
    except ValueError:
        return f"{path} is not a PEM certificate"
    return None


def key_pair(key_path: str, cert_path: str) -> bool:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    with open(key_path, "rb") as key_file, open(cert_path, "rb") as cert_file:
        public = serialization.load_pem_private_key(key_file.read(), password=None).public_key()
        certified = x509.load_pem_x509_certificate(cert_file.read()).public_key()
    return public == certified


def state_file(path: str) -> str | None:
    """The broker creates its state file, and its folder; check that it can. A PostgreSQL URL:
    only its form here (no password in it); whether the server answers is /readyz's question."""
    from broker.storage.database import engine_of, location_problem

    if engine_of(path) == "postgresql":
        return location_problem(path)
    if os.path.isdir(path):
        return f"{path} is a folder"
    if os.path.exists(path):
        data, problem = _readable(path)
        if problem:
            return problem
        if data and not data.startswith(b"SQLite format 3\0"):
            return f"{path} is not an SQLite file"
        return None if os.access(path, os.W_OK) else f"{path} cannot be written"
    folder = os.path.dirname(path)
    while not os.path.exists(folder):
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        return f"its folder cannot be created: {folder} is a file"
    return None if os.access(folder, os.W_OK | os.X_OK) else f"its folder cannot be created in {folder}"


def mandates_store_file(path: str) -> str | None:
    """Only `broker store init` creates a store: a mistyped path must not serve an empty one. A
    PostgreSQL URL: no password in it (the settings file is no place for one), a server that
    answers, a database that holds a store."""
    from mandates_store.database import store_file_problem
    from mandates_store.engines import location_problem, shown

    problem = location_problem(path) or store_file_problem(path)
    return f"{shown(path)}: {problem[0]}" if problem else None
