"""Every path key of the settings table through every entry point that reads settings: relative
values resolve against the folder of the broker.toml that holds them (the working directory for
create_app's dict), absolute ones stay. The keys come from the table, so a new one is walked too.
(`broker certs generate` reads no settings: its --out folder is an option.)"""

import os

import pytest
from click.testing import CliRunner

from broker import create_app
from broker.cli import main
from broker.settings import KEYS, PATH_KEYS, SECRET_KEYS, Settings
from tests.conftest import build_demo
from tests.settings.site import SOURCE_SP, build_site, render

NESTED = {name: spec.metadata["paths_in"] for name, spec in KEYS.items() if spec.metadata["paths_in"]}


def _complete(values: dict, folder: str) -> dict:
    """A relative value for every path key, also for one the site does not know (yet)."""
    for name in PATH_KEYS:
        if name not in values:
            values[name] = os.path.join("extra", name)
            if KEYS[name].metadata["exists"]:
                os.makedirs(os.path.join(folder, "extra"), exist_ok=True)
                open(os.path.join(folder, values[name]), "w").close()
    for name, inner in NESTED.items():
        assert values.get(name) and all(set(inner) <= set(entry) for entry in values[name]), name
    return values


def paths(values, folder: str = "") -> dict:
    """{key or key[i].field: value joined to folder} for every path the table names."""
    found = {name: os.path.join(folder, values[name]) for name in PATH_KEYS}
    for name, inner in NESTED.items():
        for index, entry in enumerate(values[name]):
            found.update({f"{name}[{index}].{field}": os.path.join(folder, entry[field]) for field in inner})
    return found


def absolute(values: dict, folder: str) -> dict:
    joined = dict(values, **{name: os.path.join(folder, values[name]) for name in PATH_KEYS})
    for name, inner in NESTED.items():
        joined[name] = [{k: os.path.join(folder, v) if k in inner else v for k, v in e.items()} for e in values[name]]
    return joined


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    demo = build_demo(tmp_path_factory.mktemp("demo"))
    root = tmp_path_factory.mktemp("walk")
    folder = str(root / "site")
    os.makedirs(folder)
    values = _complete(build_site(demo, folder), folder)
    files = {"relative": os.path.join(folder, "broker.toml"), "absolute": str(root / "other" / "broker.toml")}
    os.makedirs(root / "other")
    for kind, path in files.items():
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render(values if kind == "relative" else absolute(values, folder)))
    os.makedirs(root / "elsewhere")
    return dict(demo=demo, folder=folder, values=values, files=files, elsewhere=str(root / "elsewhere"))


def _run(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def _spy(monkeypatch) -> list:
    loaded, load = [], Settings.from_file.__func__

    def from_file(cls, *args, **kwargs):
        loaded.append(load(cls, *args, **kwargs))
        return loaded[-1]

    monkeypatch.setattr(Settings, "from_file", classmethod(from_file))
    return loaded


def via_dict(site, kind, monkeypatch):
    values = site["values"] if kind == "relative" else absolute(site["values"], site["folder"])
    if kind == "relative":
        monkeypatch.chdir(site["folder"])  # a dict's relative paths are the working directory's
    secrets = {name.upper(): site["demo"].broker[name.upper()] for name in SECRET_KEYS}
    return create_app(dict({k.upper(): v for k, v in values.items()}, **secrets)).extensions["settings"]


def via_serve(site, kind, monkeypatch):
    started = []
    monkeypatch.setattr("broker.ops.serve.serve", started.append)
    _run("serve", "--config", site["files"][kind])
    return create_app(started[0]).extensions["settings"]  # what serve() does before it forks


def via_config_check(site, kind, monkeypatch):
    loaded = _spy(monkeypatch)
    _run("config", "check", site["files"][kind])
    return loaded[0]


def via_metadata_commands(site, kind, monkeypatch):
    for name in SECRET_KEYS:  # not needed by these commands
        monkeypatch.delenv("BROKER_" + name.upper())
    loaded = _spy(monkeypatch)
    assert SOURCE_SP in _run("metadata", "list", "--config", site["files"][kind]).output
    _run("metadata", "export", "--config", site["files"][kind])
    assert loaded[0] == loaded[1]
    return loaded[0]


@pytest.mark.parametrize("kind", ["relative", "absolute"])
@pytest.mark.parametrize("entry_point", [via_dict, via_serve, via_config_check, via_metadata_commands])
def test_every_path_key_resolves_against_the_files_folder(site, kind, entry_point, monkeypatch):
    for name in SECRET_KEYS:
        monkeypatch.setenv("BROKER_" + name.upper(), site["demo"].broker[name.upper()])
    monkeypatch.chdir(site["elsewhere"])
    settings = entry_point(site, kind, monkeypatch)
    expected = paths(site["values"], site["folder"])
    assert paths(settings.__dict__) == expected
    assert set(PATH_KEYS) <= set(expected) and all(os.path.isabs(value) for value in expected.values())
