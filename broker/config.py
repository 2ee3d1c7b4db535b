"""The broker's settings: defaults, then the operator's values; checked before anything starts."""

import os

DEFAULTS = {
    "BASE_URL": "http://localhost:8080",
    "STATE_DB": "var/state.db",
    "STORE_DB": "var/store.db",
    "METADATA_DIR": "metadata",
    "POLICY_DIR": "policies",
    "SIGNING_KEY": "certs/broker-signing.key",
    "SIGNING_CERT": "certs/broker-signing.crt",
    "DECRYPTION_KEY": None,
    "DECRYPTION_CERT": None,
    "UPSTREAM_ENTITY_ID": None,
    # metadata: signed sources with pinned signers, their cache, and what the broker publishes
    "METADATA_SOURCES": [],  # [{"url" or "path": ..., "signing_cert": pinned PEM path(s)}]
    "METADATA_CACHE_DIR": "var/metadata-cache",
    "METADATA_FETCH_TIMEOUT": 10,
    "METADATA_VALIDITY_DAYS": 7,
    "METADATA_CACHE_DURATION": "PT6H",
    "ORGANIZATION": None,  # {"name": ..., "display_name": ..., "url": ...}
    "CONTACTS": [],  # [{"type": "technical", "given_name": ..., "email": ...}]
    "NEXT_SIGNING_KEY": None,
    "NEXT_SIGNING_CERT": None,
    "SIGNING_KEY_IN_USE": "current",  # "next" promotes the next signing key
    "UPSTREAM_SIGNED": "assertion",
    "UPSTREAM_ID_ATTRIBUTE": "urn:be:fgov:person:ssin",
    "CLOCK_SKEW": 60,
    "REQUEST_MAX_AGE": 300,
    "SESSION_LIFETIME": 8 * 3600,
    "IDLE_TIMEOUT": 3600,
    "SESSION_COOKIE_NAME": "broker_session",
    "SESSION_COOKIE_SECURE": True,
    "SECRET_KEY": None,  # from the environment: BROKER_SECRET_KEY
    "PAIRWISE_SECRET": None,  # from the environment: BROKER_PAIRWISE_SECRET
}

REQUIRED = ("UPSTREAM_ENTITY_ID", "SECRET_KEY", "PAIRWISE_SECRET")


class ConfigError(Exception):
    pass


def resolve(config: dict | None) -> dict:
    values = dict(DEFAULTS)
    values["SECRET_KEY"] = os.environ.get("BROKER_SECRET_KEY")
    values["PAIRWISE_SECRET"] = os.environ.get("BROKER_PAIRWISE_SECRET")
    values.update(config or {})
    problems = [
        f"{name}: missing"
        + (f" (set BROKER_{name} in the environment)" if name in ("SECRET_KEY", "PAIRWISE_SECRET") else "")
        for name in REQUIRED
        if not values.get(name)
    ]
    if values["UPSTREAM_SIGNED"] not in ("assertion", "response", "both", "either"):
        problems.append("UPSTREAM_SIGNED: must be assertion, response, both or either")
    for name in ("SIGNING_KEY", "SIGNING_CERT", "METADATA_DIR", "POLICY_DIR", "DECRYPTION_KEY", "DECRYPTION_CERT"):
        if values.get(name) and not os.path.exists(values[name]):
            problems.append(f"{name}: {values[name]} does not exist")
    if problems:
        raise ConfigError("; ".join(problems))
    return values
