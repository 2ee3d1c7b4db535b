"""Everything the demo needs on disk: keys, metadata for all three parties, the store, secrets."""

import json
import os
import secrets
import shutil
import socket
from dataclasses import dataclass
from datetime import date

from broker.saml.certgen import generate
from broker.saml.keys import load_signing_key
from broker.saml.own_metadata import idp_metadata, sp_metadata
from broker.saml.settings import SamlSettings
from broker.settings import SECRET_KEYS
from demo.application import application_config
from demo.entities import metadata_xml
from demo.upstream import upstream_config
from mandates_store import Store, demo_data
from selfservice import settings as selfservice_settings
from selfservice.saml_client import sp_metadata as sp_metadata_of_selfservice

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_APPLICATION_URL = "http://localhost:8000"
SELFSERVICE_URL = "http://localhost:8070"
DEMO_PERSONS = [
    (demo_data.PERSON_OWN_NAME_ONLY, "alleen in eigen naam"),
    (demo_data.PERSON_EXECUTOR, "mandaatuitvoerder bij BAROCY: 'Mandaat via …'"),
    (demo_data.PERSON_SEVERAL_TAKERS, "bij DELOITTE en PwC: 'Meerdere mandaten mogelijk'"),
    (demo_data.PERSON_NO_OPTION, "recht vervallen, mandaat van een ander type"),
    (demo_data.PERSON_REPRESENTATIVE, "bestuurder van BAROCY (KBO)"),
    (demo_data.PERSON_MANAGER, "mandaatbeheerder bij Emmaüs"),
    (demo_data.PERSON_YOUNG, "mandaat 'Kiosk' van An Peeters (persoon aan persoon)"),
]


@dataclass
class DemoEnvironment:
    broker: dict
    upstream: dict
    application: dict
    selfservice: dict  # selfservice.create_app's settings: Mandatenbeheer, the self-service application


def free_port() -> int:
    """A free TCP port on loopback, for demo parties started elsewhere than the fixed ports."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_policies(
    folder: str, application_url: str = DEMO_APPLICATION_URL, selfservice_url: str = SELFSERVICE_URL
) -> str:
    """The repository's policy files in `folder` (which must not exist yet), the demo application's
    and the self-service application's keyed by the entity IDs they have at their URLs."""
    shutil.copytree(os.path.join(REPO, "policies"), folder)
    for name, default, url in (
        ("demo-application.yaml", DEMO_APPLICATION_URL, application_url),
        ("selfservice.yaml", SELFSERVICE_URL, selfservice_url),
    ):
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as handle:
            text = handle.read().replace(default + "/saml/metadata", url + "/saml/metadata")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return folder


def _keypair(folder: str, name: str, bits: int = 3072) -> tuple[str, str]:
    key, cert = os.path.join(folder, f"{name}.key"), os.path.join(folder, f"{name}.crt")
    if not (os.path.exists(key) and os.path.exists(cert)):
        generate(key, cert, name, bits=bits)
    return key, cert


def _secrets(path: str) -> dict:
    if not os.path.exists(path):
        values = {name: secrets.token_urlsafe(32) for name in ("broker", "pairwise", "upstream", "application")}
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(values, handle)
    with open(path) as handle:
        values = json.load(handle)
    if "selfservice" not in values:  # a workdir from before the self-service application
        values["selfservice"] = secrets.token_urlsafe(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(values, handle)
    return values


def _write(path: str, content) -> str:
    with open(path, "wb") as handle:
        handle.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def persons(store: Store) -> list[dict]:
    found = []
    for number, note in DEMO_PERSONS:
        party = store.person(number)
        given, _, family = party.name.partition(" ")
        found.append({"number": number, "given_name": given, "family_name": family, "note": note})
    return found


def prepare(
    workdir: str,
    broker_url: str = "http://localhost:8080",
    upstream_url: str = "http://localhost:8090",
    application_url: str = "http://localhost:8000",
    policy_dir: str | None = None,
    selfservice_url: str = SELFSERVICE_URL,
    today: date | None = None,
    signing_key_bits: int = 3072,
    store_db: str | None = None,
) -> DemoEnvironment:
    """store_db: the store's location (a postgresql:// URL, say); var/store.db when not given."""
    # the broker.toml written from these paths reads relative ones from its own folder
    workdir = os.path.abspath(workdir)
    certs, metadata, peers, var = (os.path.join(workdir, d) for d in ("certs", "metadata", "peer-metadata", "var"))
    for folder in (certs, metadata, peers, var):
        os.makedirs(folder, exist_ok=True)
    secret = _secrets(os.path.join(workdir, "secrets.json"))
    broker_key, broker_cert = _keypair(certs, "broker-signing", signing_key_bits)
    broker_enc_key, broker_enc_cert = _keypair(certs, "broker-encryption")
    upstream_key, upstream_cert = _keypair(certs, "demo-upstream")
    app_key, app_cert = _keypair(certs, "demo-application")
    self_key, self_cert = _keypair(certs, "selfservice")

    settings = SamlSettings(
        base_url=broker_url,
        signing_key=load_signing_key(broker_key, broker_cert),
        decryption_key_path=broker_enc_key,
        upstream_entity_id=upstream_url + "/metadata",
    )
    broker_idp = _write(os.path.join(peers, "broker-idp.xml"), idp_metadata(settings))
    broker_sp = _write(os.path.join(peers, "broker-sp.xml"), sp_metadata(settings, open(broker_enc_cert, "rb").read()))
    _write(
        os.path.join(metadata, "demo-upstream.xml"),
        metadata_xml(upstream_config(upstream_url, upstream_key, upstream_cert, []), "idp"),
    )
    _write(
        os.path.join(metadata, "demo-application.xml"),
        metadata_xml(application_config(application_url, app_key, app_cert, [], settings.idp_entity_id), "sp"),
    )

    store_path = store_db or os.path.join(var, "store.db")
    selfservice = {
        "BASE_URL": selfservice_url,
        "STORE_DB": store_path,
        "SP_KEY": self_key,
        "SP_CERT": self_cert,
        "BROKER_METADATA": broker_idp,
        "BROKER_ENTITY_ID": settings.idp_entity_id,
        "SECRET_KEY": secret["selfservice"],
        "BULK_DIR": os.path.join(var, "bulk"),
    }
    _write(
        os.path.join(metadata, "selfservice.xml"),
        sp_metadata_of_selfservice(selfservice_settings.from_dict(selfservice)),
    )

    with Store(store_path) as store:
        if not store.db.execute("SELECT count(*) FROM parties").fetchone()[0]:  # a new store
            demo_data.load_demo(store, today or date.today())
        demo_persons = persons(store)

    return DemoEnvironment(
        broker={
            "BASE_URL": broker_url,
            "STATE_DB": os.path.join(var, "state.db"),
            "STORE_DB": store_path,
            "METADATA_DIR": metadata,
            "POLICY_DIR": policy_dir or os.path.join(REPO, "policies"),
            "SIGNING_KEY": broker_key,
            "SIGNING_CERT": broker_cert,
            "DECRYPTION_KEY": broker_enc_key,
            "DECRYPTION_CERT": broker_enc_cert,
            "UPSTREAM_ENTITY_ID": settings.upstream_entity_id,
            "SECRET_KEY": secret["broker"],
            "PAIRWISE_SECRET": secret["pairwise"],
            "SESSION_COOKIE_SECURE": broker_url.startswith("https://"),
        },
        upstream={
            "base_url": upstream_url,
            "key": upstream_key,
            "cert": upstream_cert,
            "metadata_files": [broker_sp],
            "persons": demo_persons,
            "secret_key": secret["upstream"],
        },
        application={
            "base_url": application_url,
            "key": app_key,
            "cert": app_cert,
            "metadata_files": [broker_idp],
            "broker_idp": settings.idp_entity_id,
            "secret_key": secret["application"],
        },
        selfservice=selfservice,
    )


def write_broker_config(env: DemoEnvironment, path: str, bind: str = "127.0.0.1:8080", workers: int = 2) -> dict:
    """The broker's TOML configuration file for `broker serve`, and the environment with its secrets."""
    lines = []
    for key, value in env.broker.items():
        if key.lower() in SECRET_KEYS or value is None:
            continue
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, int):
            rendered = str(value)
        else:
            rendered = json.dumps(str(value))
        lines.append(f"{key.lower()} = {rendered}")
    lines += ["", "[serve]", f'bind = "{bind}"', f"workers = {workers}"]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("# The demo broker's configuration (generated by demo/environment.py)\n" + "\n".join(lines) + "\n")
    return {f"BROKER_{name.upper()}": env.broker[name.upper()] for name in SECRET_KEYS}


def write_selfservice_config(env: DemoEnvironment, path: str, bind: str = "127.0.0.1:8070", workers: int = 2) -> dict:
    """Mandatenbeheer's TOML file for `selfservice serve`, and the environment with its secret."""
    lines = [
        f"{key.lower()} = {json.dumps(str(value))}" for key, value in env.selfservice.items() if key != "SECRET_KEY"
    ]
    lines += ["", "[serve]", f'bind = "{bind}"', f"workers = {workers}"]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("# Mandatenbeheer's configuration (generated by demo/environment.py)\n" + "\n".join(lines) + "\n")
    return {"SELFSERVICE_SECRET_KEY": env.selfservice["SECRET_KEY"]}
