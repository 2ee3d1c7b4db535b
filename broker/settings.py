"""The broker's settings: one table of keys, two loaders, one frozen object everything reads.

The table is the Settings dataclass: each key is a field with its default and type, and says
whether it is a path (or holds paths), a secret, required, and how its value is checked. Like
Flask's Config, the loaders take a dict (create_app, upper-case keys) or a TOML file (`broker
serve`, `broker config check`, `broker metadata`; lower-case keys plus a [serve] table, read by
broker/settings_file.py). Relative paths are taken from the file's folder (the working directory
for a dict); a loaded Settings holds absolute paths only. Every problem is reported at once.
"""

import difflib
import os
import types
import typing
from dataclasses import Field, dataclass, field, fields
from datetime import timedelta

from broker import setting_checks as checks
from mandates_store.engines import POSTGRESQL, engine_of

SECRET_HINT = "set BROKER_{name} in the environment"
# A request body above this is refused before its form is parsed (413): the largest SAML message
# the bindings accept (broker.saml.bindings.MAX_ENCODED_BYTES), form-encoded, fits well within it.
MAX_BODY_BYTES = 1024 * 1024
_AC = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
# levels of assurance, weak to strong, with the upstream's class refs for each (README "Security")
DEFAULT_AUTHN_LEVELS = (
    {
        "name": "low",
        "class_refs": ("http://eidas.europa.eu/LoA/low", _AC + "PasswordProtectedTransport", _AC + "Password"),
    },
    {
        "name": "substantial",
        "class_refs": (
            "http://eidas.europa.eu/LoA/substantial",
            _AC + "MobileTwoFactorContract",
            _AC + "TimeSyncToken",
        ),
    },
    {"name": "high", "class_refs": ("http://eidas.europa.eu/LoA/high", _AC + "SmartcardPKI")},
)


class ConfigError(Exception):
    """Every problem found, one a line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def key(
    default,
    *,
    path=False,
    paths_in=(),
    secret=False,
    required=False,
    exists=False,
    choices=(),
    check=None,
    served=False,
) -> Field:
    """One row of the table. path: relative to the file's folder; paths_in: the fields of each
    entry (a list of tables) that are paths; exists: a path that must exist when set; check(value):
    why a set value would fail `broker serve` later, or None; served: checked only for a server
    (the metadata commands open no database)."""
    return field(
        default=default,
        metadata=dict(
            path=path,
            paths_in=paths_in,
            secret=secret,
            required=required,
            exists=exists,
            choices=choices,
            check=check,
            served=served,
        ),
    )


def _option(default, check) -> Field:
    return field(default=default, metadata=dict(check=check))


@dataclass(frozen=True)
class Serve:
    """The [serve] table: gunicorn's options for `broker serve`."""

    bind: str = _option("127.0.0.1:8080", checks.bind_address)
    workers: int = _option(0, checks.at_least(0, " (the number of cores)"))  # 0 = the number of cores
    threads: int = _option(1, checks.at_least(1))
    timeout: int = _option(30, checks.at_least(1, " (seconds)"))
    # seconds a stopping worker has to finish the requests in flight
    graceful_timeout: int = _option(30, checks.at_least(1, " (seconds)"))
    # the proxies (addresses or networks, comma-separated, or *) whose X-Forwarded-Proto is believed
    forwarded_allow_ips: str = _option("127.0.0.1,::1", checks.proxy_addresses)


def serve_option_problem(name: str, value) -> str | None:
    """Why a [serve] option (from the file or serve's command line) would fail gunicorn, or None."""
    spec = next(f for f in fields(Serve) if f.name == name)
    return _type_error(value, spec.type) or spec.metadata["check"](value)


@dataclass(frozen=True)
class Settings:
    base_url: str = key("http://localhost:8080")
    # an SQLite path or a postgresql:// URL (no password in it: PGPASSWORD, ~/.pgpass or PGSERVICE)
    state_db: str = key("var/state.db", path=True, check=checks.state_file, served=True)
    # an SQLite path or a postgresql:// URL without its password (mandates_store.engine_of)
    store_db: str = key("var/store.db", path=True, check=checks.mandates_store_file, served=True)
    min_free_disk_mb: int = key(100)  # /readyz: free space below this in either file's folder = not ready
    metadata_dir: str = key("metadata", path=True, exists=True)
    policy_dir: str = key("policies", path=True, exists=True)
    signing_key: str = key("certs/broker-signing.key", path=True, exists=True, check=checks.private_key_file)
    signing_cert: str = key("certs/broker-signing.crt", path=True, exists=True, check=checks.certificate_file)
    decryption_key: str | None = key(None, path=True, exists=True, check=checks.private_key_file)
    decryption_cert: str | None = key(None, path=True, exists=True, check=checks.certificate_file)
    # decryption key rollover: the next pair is published beside the current one and both decrypt
    next_decryption_key: str | None = key(None, path=True, exists=True, check=checks.private_key_file)
    next_decryption_cert: str | None = key(None, path=True, exists=True, check=checks.certificate_file)
    upstream_entity_id: str | None = key(None, required=True)
    # signed sources with pinned signers: [{"url" or "path": ..., "signing_cert": PEM path(s)}]
    metadata_sources: tuple[dict, ...] = key((), paths_in=("path", "signing_cert"))
    metadata_cache_dir: str = key("var/metadata-cache", path=True)
    metadata_fetch_timeout: float = key(10, check=checks.positive)
    metadata_validity_days: float = key(7, check=checks.positive)
    metadata_cache_duration: str = key("PT6H", check=checks.duration)
    organization: dict | None = key(None)  # {"name": ..., "display_name": ..., "url": ...}
    contacts: tuple[dict, ...] = key(())  # [{"type": "technical", "given_name": ..., "email": ...}]
    next_signing_key: str | None = key(None, path=True, exists=True, check=checks.private_key_file)
    next_signing_cert: str | None = key(None, path=True, exists=True, check=checks.certificate_file)
    signing_key_in_use: str = key("current", choices=("current", "next"))
    upstream_signed: str = key("assertion", choices=("assertion", "response", "both", "either"))
    # the IdP metadata's WantAuthnRequestsSigned: "auto" = true when every application with a policy
    # must sign anyway (policy or its own metadata); "always" = every application must sign
    want_authn_requests_signed: str = key("auto", choices=("auto", "always"))
    upstream_id_attribute: str = key("urn:be:fgov:person:ssin")
    authn_levels: tuple[dict, ...] = key(DEFAULT_AUTHN_LEVELS)  # [{name, class_refs}], weak to strong
    clock_skew: int = key(60, check=checks.at_least(0))
    request_max_age: int = key(300, check=checks.at_least(1))
    session_lifetime: int = key(8 * 3600, check=checks.at_least(1))
    idle_timeout: int = key(3600, check=checks.at_least(1))
    session_cookie_name: str = key("broker_session")
    session_cookie_secure: bool = key(True)
    secret_key: str | None = key(None, secret=True, required=True)
    pairwise_secret: str | None = key(None, secret=True, required=True)
    serve: Serve = field(default=Serve())  # not a key: the file's [serve] table

    @classmethod
    def from_mapping(cls, values: dict | None, folder: str | None = None, server: bool = True) -> "Settings":
        """From upper-case keys (create_app's dict); secrets the dict lacks come from the environment."""
        loader = Loader(folder or os.getcwd(), server)
        given = {}
        for name, value in (values or {}).items():
            if name.lower() in KEYS and name.isupper():
                given[name.lower()] = value
            else:
                loader.problem(name.lower(), "unknown key" + did_you_mean(name, upper=True))
        return loader.build(given, lambda name, reason, located: f"{name.upper()}: {reason}")

    @classmethod
    def from_file(cls, path: str, server: bool = True) -> "Settings":
        """From a TOML file. server=False (the metadata and certs commands, which start no server):
        secrets and required keys may be absent; paths resolve the same."""
        from broker.settings_file import load_file

        return load_file(path, server)

    def saml(self, signing_key):
        """The SAML settings, with the key the broker signs with (see broker.saml.publishing)."""
        from broker.saml.settings import SamlSettings

        return SamlSettings(
            base_url=self.base_url.rstrip("/"),
            signing_key=signing_key,
            decryption_key_path=self.decryption_key,
            next_decryption_key_path=self.next_decryption_key,
            upstream_entity_id=self.upstream_entity_id or "",
            upstream_id_attribute=self.upstream_id_attribute,
            upstream_signed=self.upstream_signed,
            want_authn_requests_signed=self.want_authn_requests_signed == "always",
            authn_levels=tuple(tuple(level["class_refs"]) for level in self.authn_levels),
            clock_skew=self.clock_skew,
            request_max_age=self.request_max_age,
        )

    def publication(self, extra_signing_certs: tuple[str, ...] = ()):
        """What the broker's own metadata publishes besides its SAML settings."""
        from broker.saml.own_metadata import Publication

        return Publication(
            extra_signing_certs=extra_signing_certs,
            validity=timedelta(days=float(self.metadata_validity_days)),
            cache_duration=self.metadata_cache_duration,
            organization=self.organization or None,
            contacts=tuple(self.contacts),
        )

    def flask_config(self) -> dict:
        """Flask's own keys (and Flask-WTF's)."""
        return dict(
            SECRET_KEY=self.secret_key,
            SESSION_COOKIE_NAME=self.session_cookie_name,
            SESSION_COOKIE_SECURE=self.session_cookie_secure,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="None" if self.session_cookie_secure else "Lax",
            PERMANENT_SESSION_LIFETIME=self.session_lifetime,
            WTF_CSRF_TIME_LIMIT=self.idle_timeout,
            WTF_CSRF_SSL_STRICT=False,  # the SAML endpoints are reached cross-site by design
            MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
            MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,
        )


KEYS: dict[str, Field] = {f.name: f for f in fields(Settings) if "path" in f.metadata}
PATH_KEYS = tuple(name for name, f in KEYS.items() if f.metadata["path"])
SECRET_KEYS = tuple(name for name, f in KEYS.items() if f.metadata["secret"])
TYPE_ERRORS = {
    str: "must be a string",
    bool: "must be true or false",
    int: "must be a whole number",
    float: "must be a number",
    dict: "must be a table",
}


def did_you_mean(name: str, upper: bool = False, among=None) -> str:
    close = difflib.get_close_matches(name.lower(), KEYS if among is None else among, n=1)
    return f" (did you mean {close[0].upper() if upper else close[0]}?)" if close else ""


def _type_error(value, annotation) -> str | None:
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    if value is None and type(None) in options:
        return None
    kind = next(option for option in options if option is not type(None))
    if typing.get_origin(kind) is tuple:  # tuple[dict, ...]: a list of tables
        ok = isinstance(value, list | tuple) and all(isinstance(entry, dict) for entry in value)
        return None if ok else "must be a list of tables"
    if kind in (int, float):
        ok = isinstance(value, int if kind is int else int | float) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    return None if ok else TYPE_ERRORS[kind]


class Loader:
    """Checks values key by key, collecting (key, reason) problems; formats them all at the end."""

    def __init__(self, folder: str, server: bool):
        self.folder, self.server = os.path.abspath(folder), server
        self.problems: list[tuple[str, str, bool]] = []

    def problem(self, name: str, reason: str, located: bool = True) -> None:
        """located: the problem is where the key is written (a missing key is nowhere)."""
        self.problems.append((name, reason, located))

    def path(self, value):
        if isinstance(value, list | tuple):
            return [self.path(v) for v in value]
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if isinstance(value, str) and engine_of(value) == POSTGRESQL:
            return value  # a database URL (state_db, store_db), not a path to resolve
        return os.path.normpath(os.path.join(self.folder, value)) if isinstance(value, str) and value else value

    def value(self, name: str, spec: Field, value):
        meta = spec.metadata
        if meta["path"] and isinstance(value, os.PathLike):
            value = os.fspath(value)
        if error := _type_error(value, spec.type):
            self.problem(name, error)
            return spec.default
        if meta["path"]:
            value = self.path(value)
        if meta["paths_in"]:
            value = tuple({k: self.path(v) if k in meta["paths_in"] else v for k, v in e.items()} for e in value)
        if isinstance(value, list):
            value = tuple(value)
        if meta["choices"] and value not in meta["choices"]:
            self.problem(name, "must be " + ", ".join(meta["choices"][:-1]) + " or " + meta["choices"][-1])
        if meta["exists"] and value and not os.path.exists(value):
            self.problem(name, f"{value} does not exist")
        elif meta["check"] and value not in (None, "") and (self.server or not meta["served"]):
            if reason := meta["check"](value):
                self.problem(name, reason)
        if meta["required"] and not value and self.server:
            hint = f" ({SECRET_HINT.format(name=name.upper())})" if meta["secret"] else ""
            self.problem(name, "missing" + hint, located=False)
        return value

    def build(self, given: dict, message) -> Settings:
        """given: {lower-case key: value}; message(name, reason, located) formats one problem."""
        values = {}
        for name, spec in KEYS.items():
            value = given.get(name, spec.default)
            if spec.metadata["secret"]:
                if not self.server:
                    continue  # not asked for, not kept
                if name not in given:
                    value = os.environ.get("BROKER_" + name.upper())
            values[name] = self.value(name, spec, value)
        self._across(values)
        if self.problems:
            raise ConfigError([message(name, reason, located) for name, reason, located in self.problems])
        return Settings(**values, serve=given.get("serve", Serve()))

    def _levels(self, levels) -> None:
        for problem in _levels_problems(levels):
            self.problem("authn_levels", problem)

    def _across(self, values: dict) -> None:
        """Checks that concern more than one key."""
        from broker.saml.metadata_sources import Source

        located = {name for name, _, _ in self.problems}
        for key_name, cert_name in (("signing_key", "signing_cert"), ("next_signing_key", "next_signing_cert")):
            if values[key_name] and values[cert_name] and not located & {key_name, cert_name}:
                if not checks.key_pair(values[key_name], values[cert_name]):
                    self.problem(cert_name, f"{values[cert_name]} is not the certificate of {key_name}")
        self._levels(values["authn_levels"])
        if bool(values["next_decryption_key"]) != bool(values["next_decryption_cert"]):
            self.problem("next_decryption_key", "next_decryption_key and next_decryption_cert go together")
        if values["signing_key_in_use"] == "next" and not (values["next_signing_key"] and values["next_signing_cert"]):
            self.problem("signing_key_in_use", "next needs next_signing_key and next_signing_cert")
        for entry in values["metadata_sources"]:
            try:
                Source.from_config(entry)
            except ValueError as exc:
                self.problem("metadata_sources", str(exc))


def _levels_problems(levels) -> list[str]:
    problems, seen = [], {}
    for number, level in enumerate(levels, 1):
        name, refs = level.get("name"), level.get("class_refs")
        if not isinstance(name, str) or not name:
            problems.append(f"level {number}: name must be a string")
        if not isinstance(refs, list | tuple) or not refs or not all(isinstance(r, str) and r for r in refs):
            problems.append(f"level {number}: class_refs must be a list of class refs")
            continue
        for ref in refs:
            if ref in seen:
                problems.append(f"level {number}: {ref} is already in level {seen[ref]}")
            seen.setdefault(ref, number)
        if unknown := set(level) - {"name", "class_refs"}:
            problems.append(f"level {number}: unknown key {', '.join(sorted(unknown))}")
    return problems
