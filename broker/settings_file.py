"""Reading the broker's TOML settings file (`broker serve`, `broker config check`, `broker metadata`):
lower-case keys plus a [serve] table, secrets refused in it, each problem with its line. The keys,
their checks and the loader are broker/settings.py's; this module only reads the file.
"""

import os
import re
import tomllib
from dataclasses import fields

from broker.settings import (
    KEYS,
    SECRET_HINT,
    SECRET_KEYS,
    ConfigError,
    Loader,
    Serve,
    Settings,
    did_you_mean,
    serve_option_problem,
)
from mandates_store.clock import TEST_CLOCK_SWITCH


def _line_of(text: str, name: str) -> int | None:
    pattern = rf"\s*({re.escape(name)}\s*=|\[\[?\s*{re.escape(name)}\s*\]\]?)"
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(pattern, line):
            return number
    return None


def _serve_table(table, loader: Loader) -> Serve:
    if not isinstance(table, dict):
        loader.problem("serve", "must be a table")
        return Serve()
    options = {}
    for name, value in table.items():
        spec = next((f for f in fields(Serve) if f.name == name), None)
        if spec is None:
            loader.problem(f"serve.{name}", "unknown key" + did_you_mean(name, among=[f.name for f in fields(Serve)]))
        elif error := serve_option_problem(name, value):
            loader.problem(f"serve.{name}", error)
        else:
            options[name] = value
    return Serve(**options)


def load_file(path: str, server: bool) -> Settings:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError([f"{path}: {exc.strerror}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    loader = Loader(os.path.dirname(os.path.abspath(path)), server)
    given = {}
    for name, value in data.items():
        if name == "serve":
            given["serve"] = _serve_table(value, loader)
        elif name in SECRET_KEYS:
            if server:  # a command that needs no secrets does not read them
                loader.problem(name, "secrets do not belong in the file; " + SECRET_HINT.format(name=name.upper()))
        elif name not in KEYS:
            loader.problem(name, "unknown key" + did_you_mean(name))
        else:
            given[name] = value

    if server and os.environ.get(TEST_CLOCK_SWITCH):  # production refuses the store's test clock
        loader.problem(
            TEST_CLOCK_SWITCH,
            "set in the environment: the mandates store's test clock (broker store --today) has no place where "
            "the broker serves; unset it",
            located=False,
        )

    def message(name: str, reason: str, located: bool) -> str:
        line = located and _line_of(text, name.split(".")[-1])
        return f"{path}:{line}: {name}: {reason}" if line else f"{path}: {name}: {reason}"

    return loader.build(given, message)
