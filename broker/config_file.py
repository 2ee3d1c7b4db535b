"""The broker's configuration file (TOML), checked whole before anything starts.

Keys are the lower-case names of broker.config.DEFAULTS, plus a [serve] table for `broker serve`.
Secrets never stand in the file: BROKER_SECRET_KEY and BROKER_PAIRWISE_SECRET come from the
environment. Relative paths are relative to the file's folder.
"""

import difflib
import os
import re
import tomllib

from broker.config import DEFAULTS, ConfigError, resolve

SECRETS = ("SECRET_KEY", "PAIRWISE_SECRET")
PATHS = (
    "STATE_DB",
    "STORE_DB",
    "METADATA_DIR",
    "POLICY_DIR",
    "SIGNING_KEY",
    "SIGNING_CERT",
    "DECRYPTION_KEY",
    "DECRYPTION_CERT",
    "NEXT_SIGNING_KEY",
    "NEXT_SIGNING_CERT",
    "METADATA_CACHE_DIR",
)
SOURCE_PATHS = ("path", "signing_cert")  # in each METADATA_SOURCES entry
SERVE_DEFAULTS = {"bind": "127.0.0.1:8080", "workers": 0, "threads": 1, "timeout": 30}


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return 1


def _type_error(value, default, is_path: bool) -> str | None:
    if is_path or isinstance(default, str):
        return None if isinstance(value, str) else "must be a string"
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(default, int):
        return None if isinstance(value, int) and not isinstance(value, bool) else "must be a whole number"
    if isinstance(default, list):
        return None if isinstance(value, list) else "must be a list"
    return None  # free-form values (tables) are checked where they are used


def _sources_entry(folder: str, entry):
    if not isinstance(entry, dict):
        return entry

    def relative(value):
        if isinstance(value, list):
            return [relative(v) for v in value]
        return os.path.join(folder, value) if isinstance(value, str) and value else value

    return {k: relative(v) if k in SOURCE_PATHS else v for k, v in entry.items()}


def load(path: str) -> tuple[dict, dict]:
    """(the broker's settings, the [serve] options), or ConfigError naming every problem."""
    try:
        text = open(path, encoding="utf-8").read()
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    folder = os.path.dirname(os.path.abspath(path))
    problems, settings = [], {}
    serve = dict(SERVE_DEFAULTS)
    for key, value in data.items():
        if key == "serve" and isinstance(value, dict):
            for name, option in value.items():
                if name not in SERVE_DEFAULTS:
                    problems.append(f"{path}:{_line_of(text, name)}: serve.{name}: unknown key")
                elif error := _type_error(option, SERVE_DEFAULTS[name], False):
                    problems.append(f"{path}:{_line_of(text, name)}: serve.{name}: {error}")
                else:
                    serve[name] = option
            continue
        name = key.upper()
        where = f"{path}:{_line_of(text, key)}: {key}"
        if name in SECRETS:
            problems.append(f"{where}: secrets do not belong in the file; set BROKER_{name} in the environment")
        elif name not in DEFAULTS:
            close = difflib.get_close_matches(name, DEFAULTS, n=1)
            hint = f" (did you mean {close[0].lower()}?)" if close else ""
            problems.append(f"{where}: unknown key{hint}")
        elif error := _type_error(value, DEFAULTS[name], name in PATHS):
            problems.append(f"{where}: {error}")
        elif name == "METADATA_SOURCES":
            settings[name] = [_sources_entry(folder, entry) for entry in value]
        else:
            settings[name] = os.path.join(folder, value) if name in PATHS else value
    if problems:
        raise ConfigError("\n".join(problems))
    try:
        resolve(settings)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return settings, serve
