"""The broker's settings for the `metadata` and `certs` commands: the TOML file the server reads.

Only what these commands need: defaults, the file's keys in lower case, relative paths taken from
the file's folder. Secrets are not needed here, so they are not asked for.
"""

import os
import tomllib

import click

from broker.config import DEFAULTS

_PATHS = (
    "METADATA_DIR",
    "POLICY_DIR",
    "SIGNING_KEY",
    "SIGNING_CERT",
    "DECRYPTION_KEY",
    "DECRYPTION_CERT",
    "NEXT_SIGNING_KEY",
    "NEXT_SIGNING_CERT",
    "METADATA_CACHE_DIR",
    "STATE_DB",
    "STORE_DB",
)


def _relative(folder: str, value):
    if isinstance(value, list):
        return [_relative(folder, v) for v in value]
    return os.path.join(folder, value) if isinstance(value, str) and value else value


def read(path: str | None) -> dict:
    values = dict(DEFAULTS)
    if not path:
        return values
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    folder = os.path.dirname(os.path.abspath(path))
    for key, value in data.items():
        name = key.upper()
        if name not in DEFAULTS:
            continue  # e.g. the [serve] table
        if name in _PATHS:
            value = _relative(folder, value)
        elif name == "METADATA_SOURCES":
            value = [
                {k: (_relative(folder, v) if k in ("path", "signing_cert") else v) for k, v in entry.items()}
                for entry in value
            ]
        values[name] = value
    return values


config_option = click.option(
    "--config",
    "config_path",
    envvar="BROKER_CONFIG",
    type=click.Path(dir_okay=False),
    help="The broker's TOML configuration file (env BROKER_CONFIG).",
)
