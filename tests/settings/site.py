"""A broker's files in one folder, named relative to it by a broker.toml there: the layout an
operator deploys, read from another working directory."""

import os
import shutil
import sqlite3

from broker.saml.certgen import generate
from tests.metadata.helpers import document, signed, sp_entity

SOURCE_SP = "http://localhost:8002/saml/metadata"  # an application known only from a metadata source
SECRETS = ("SECRET_KEY", "PAIRWISE_SECRET")


def build_site(demo, folder) -> dict:
    """The demo broker's files copied under `folder`, plus a next signing key, a metadata cache and a
    signed metadata source file, the next decryption key pair: {lower-case key: value relative to `folder`}."""
    values = {}
    for name, value in demo.broker.items():
        if name in SECRETS or value is None:
            continue
        if isinstance(value, str) and os.path.isabs(value) and os.path.exists(value):
            relative = os.path.join(name.lower(), os.path.basename(value))
            copy = shutil.copytree if os.path.isdir(value) else _copy_db if value.endswith(".db") else shutil.copy
            os.makedirs(os.path.join(folder, name.lower()), exist_ok=True)
            copy(value, os.path.join(folder, relative))
            value = relative
        values[name.lower()] = value
    values["state_db"] = "var/state.db"  # not created yet: relative all the same
    os.makedirs(os.path.join(folder, "next"))
    generate(os.path.join(folder, "next/next.key"), os.path.join(folder, "next/next.crt"), "broker signing next")
    values["next_signing_key"], values["next_signing_cert"] = "next/next.key", "next/next.crt"
    generate(os.path.join(folder, "next/dec.key"), os.path.join(folder, "next/dec.crt"), "broker encryption next")
    values["next_decryption_key"], values["next_decryption_cert"] = "next/dec.key", "next/dec.crt"
    values["metadata_cache_dir"] = "cache"
    os.makedirs(os.path.join(folder, "sources"))
    publisher = [os.path.join(folder, "sources/publisher" + ext) for ext in (".key", ".crt")]
    generate(*publisher, "metadata publisher")
    sp = [os.path.join(folder, "sources/sp" + ext) for ext in (".key", ".crt")]
    generate(*sp, "source sp")
    with open(os.path.join(folder, "sources/apps.xml"), "wb") as handle:
        handle.write(signed(document([sp_entity(SOURCE_SP.rsplit("/saml", 1)[0], *sp)]), *publisher))
    values["metadata_sources"] = [{"path": "sources/apps.xml", "signing_cert": "sources/publisher.crt"}]
    return values


def _copy_db(source: str, target: str) -> None:
    """A consistent copy, with what is still in the write-ahead log."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def render(values: dict) -> str:
    """A TOML document; scalars first, then the arrays of tables."""
    lines, tables = [], []
    for key, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for entry in value:
                tables.append(f"[[{key}]]")
                tables += [f'{k} = "{v}"' for k, v in entry.items()]
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f'{key} = "{value}"')
    return "\n".join(lines + tables) + "\n"


def write_site(demo, folder) -> str:
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "broker.toml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render(build_site(demo, folder)))
    return path
