"""`broker serve` and `selfservice serve` build their app once before forking, to fail early on a
bad configuration. Whatever that app opened must be closed before the fork: an SQLite connection
a worker inherits and later closes (the garbage collector's pass in gc_tuning.settle() does)
breaks the other processes' locks on the file, and the committed WAL frames of another worker
were lost with it (the purge test saw its purge logged and then undone)."""

import gc
import os

from broker.ops import serve as broker_serve
from broker.settings import Settings
from demo.environment import prepare, write_broker_config, write_selfservice_config
from selfservice import serve as selfservice_serve
from selfservice.settings import from_toml


def open_paths() -> set[str]:
    folder = "/proc/self/fd"
    paths = set()
    for fd in os.listdir(folder):
        try:
            paths.add(os.path.realpath(os.path.join(folder, fd)))
        except OSError:  # the listing's own descriptor, closed meanwhile
            pass
    return paths


def databases(paths: set[str], *files: str) -> set[str]:
    wanted = {os.path.realpath(f) for f in files}
    return {p for p in paths if p in wanted or p.removesuffix("-wal").removesuffix("-shm") in wanted}


def test_broker_serve_checks_its_app_and_leaves_no_database_open_for_the_workers(tmp_path, monkeypatch):
    env = prepare(str(tmp_path / "demo"), signing_key_bits=2048)
    config = str(tmp_path / "broker.toml")
    for name, value in write_broker_config(env, config).items():
        monkeypatch.setenv(name, value)
    files = (env.broker["STATE_DB"], env.broker["STORE_DB"])
    gc.disable()  # no collector pass may close what the check left open and hide it
    try:
        broker_serve.check_before_fork(Settings.from_file(config))
        left_open = databases(open_paths(), *files)
    finally:
        gc.enable()
    assert left_open == set()


def test_selfservice_serve_checks_its_app_and_leaves_no_database_open_for_the_workers(tmp_path, monkeypatch):
    env = prepare(str(tmp_path / "demo"), signing_key_bits=2048)
    config = str(tmp_path / "selfservice.toml")
    for name, value in write_selfservice_config(env, config).items():
        monkeypatch.setenv(name, value)
    gc.disable()
    try:
        selfservice_serve.check_before_fork(from_toml(config))
        left_open = databases(open_paths(), env.selfservice["STORE_DB"])
    finally:
        gc.enable()
    assert left_open == set()
