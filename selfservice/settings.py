"""The self-service application's settings: one frozen table, from a dict or a TOML file.

Secrets (the cookie key) come from the environment when a TOML file is read, never from the file.
Relative paths in a TOML file are relative to that file's folder.
"""

import os
import tomllib
from dataclasses import dataclass, field, fields

from mandates_store.engines import POSTGRESQL, engine_of, location_problem, shown

PATH_KEYS = ("store_db", "sp_key", "sp_cert", "broker_metadata", "bulk_dir")
SECRET_KEYS = ("secret_key",)
ENVIRONMENT_PREFIX = "SELFSERVICE_"


@dataclass(frozen=True)
class Serve:
    bind: str = "127.0.0.1:8070"
    workers: int = 2
    threads: int = 1
    timeout: int = 30


@dataclass(frozen=True)
class Settings:
    base_url: str = "http://localhost:8070"
    store_db: str = "var/store.db"  # an SQLite path or a postgresql:// URL (no password in it)
    sp_key: str = "certs/selfservice.key"
    sp_cert: str = "certs/selfservice.crt"
    broker_metadata: str = "metadata/broker-idp.xml"  # the broker's IdP metadata
    broker_entity_id: str = "http://localhost:8080/saml/idp/metadata"
    secret_key: str = ""
    session_cookie_name: str = "selfservice_session"
    session_cookie_secure: bool = False
    page_size: int = 50
    bulk_dir: str = "var/bulk"  # uploaded bulk files, until their import has run
    smtp_host: str | None = None  # no host: notifications are not sent (the demo shows them)
    smtp_port: int = 25
    mail_from: str = "mandatenbeheer@localhost"
    serve: Serve = field(default_factory=Serve)

    @property
    def entity_id(self) -> str:
        return self.base_url + "/saml/metadata"


KEYS = {f.name for f in fields(Settings)} - {"serve"}


def _problems(values: dict) -> list[str]:
    problems = [f"unknown key '{key}'" for key in values if key not in KEYS and key != "serve"]
    if not values.get("secret_key"):
        problems.append("secret_key is required (environment SELFSERVICE_SECRET_KEY for a file)")
    return problems


def from_dict(config: dict) -> Settings:
    values = {key.lower(): value for key, value in config.items()}
    serve = values.pop("serve", None) or {}
    problems = _problems(values)
    if problems:
        raise ValueError("selfservice settings: " + "; ".join(problems))
    return Settings(**values, serve=Serve(**serve))


def from_toml(path: str, environ: dict | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    with open(path, "rb") as handle:
        try:
            values = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path}: {error}") from None
    folder = os.path.dirname(os.path.abspath(path))
    for key in PATH_KEYS:
        if key == "store_db" and key in values and engine_of(values[key]) == POSTGRESQL:
            if problem := location_problem(values[key]):
                raise ValueError(f"{path}: store_db: {shown(values[key])}: {problem[0]}")
            continue  # a database URL, no path
        if key in values and not os.path.isabs(values[key]):
            values[key] = os.path.join(folder, values[key])
    for key in SECRET_KEYS:
        if key in values:
            raise ValueError(f"{path}: '{key}' is a secret: set {ENVIRONMENT_PREFIX}{key.upper()} instead")
        if environ.get(ENVIRONMENT_PREFIX + key.upper()):
            values[key] = environ[ENVIRONMENT_PREFIX + key.upper()]
    try:
        return from_dict(values)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path}: {error}") from None
