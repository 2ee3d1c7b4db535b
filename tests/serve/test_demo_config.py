"""bin/demo's broker.toml, written from a relative work folder as demo/run.py does, loads as is."""

import os

from broker.settings import Settings
from demo.environment import prepare, write_broker_config


def test_the_demo_config_from_a_relative_workdir_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = prepare("var/demo")  # demo/run.py's default, relative to the checkout
    secrets = write_broker_config(env, "var/demo/broker.toml")
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_file("var/demo/broker.toml")
    for name in ("signing_key", "signing_cert", "decryption_key", "metadata_dir", "store_db"):
        assert os.path.exists(getattr(settings, name)), (name, getattr(settings, name))
    assert settings.serve.bind == "127.0.0.1:8080"
