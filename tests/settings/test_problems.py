"""Every problem at once, as file:line: key: reason; `broker serve` and `broker config check` report
the same ones; the metadata commands' loader asks for no secrets and no required keys."""

import pytest
from click.testing import CliRunner

from broker import create_app
from broker.cli import main
from broker.saml.certgen import generate
from broker.settings import ConfigError, Settings

BAD = """base_url = "http://localhost:8080"
upstream_signed = "sometimes"
signing_key = "nowhere.key"
clock_skw = 60
session_lifetime = "long"
secret_key = "in the file"
signing_key_in_use = "next"

[[metadata_sources]]
url = "https://federation.example/md.xml"

[serve]
bind = 8080
threads_ = 2
"""


@pytest.fixture
def bad(tmp_path, monkeypatch):
    monkeypatch.delenv("BROKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("BROKER_PAIRWISE_SECRET", raising=False)
    path = tmp_path / "broker.toml"
    path.write_text(BAD)
    return str(path)


def test_serve_and_config_check_report_the_same_problems_all_at_once(bad, monkeypatch):
    monkeypatch.setattr("broker.ops.serve.serve", lambda settings: pytest.fail("served a bad file"))
    served = CliRunner().invoke(main, ["serve", "--config", bad])
    checked = CliRunner().invoke(main, ["config", "check", bad])
    assert served.exit_code == checked.exit_code == 1
    assert served.stderr == checked.stderr
    lines = set(checked.stderr.splitlines())
    folder = bad.rsplit("/", 1)[0]
    assert lines == {
        f"{bad}:2: upstream_signed: must be assertion, response, both or either",
        f"{bad}:3: signing_key: {folder}/nowhere.key does not exist",
        f"{bad}:4: clock_skw: unknown key (did you mean clock_skew?)",
        f"{bad}:5: session_lifetime: must be a whole number",
        f"{bad}:6: secret_key: secrets do not belong in the file; set BROKER_SECRET_KEY in the environment",
        f"{bad}:7: signing_key_in_use: next needs next_signing_key and next_signing_cert",
        f"{bad}:9: metadata_sources: metadata source https://federation.example/md.xml needs a pinned signing_cert",
        f"{bad}:13: serve.bind: must be a string",
        f"{bad}:14: serve.threads_: unknown key (did you mean threads?)",
        f"{bad}: signing_cert: {folder}/certs/broker-signing.crt does not exist",  # the defaults too
        f"{bad}: metadata_dir: {folder}/metadata does not exist",
        f"{bad}: policy_dir: {folder}/policies does not exist",
        f"{bad}: store_db: {folder}/var/store.db: no store there; create one with "
        f"`broker store init --db {folder}/var/store.db`",
        f"{bad}: upstream_entity_id: missing",
        f"{bad}: secret_key: missing (set BROKER_SECRET_KEY in the environment)",
        f"{bad}: pairwise_secret: missing (set BROKER_PAIRWISE_SECRET in the environment)",
    }


def test_the_metadata_commands_loader_needs_no_secrets_nor_required_keys(tmp_path, monkeypatch):
    monkeypatch.delenv("BROKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("BROKER_PAIRWISE_SECRET", raising=False)
    (tmp_path / "policies").mkdir()
    (tmp_path / "metadata").mkdir()
    path = tmp_path / "broker.toml"
    path.write_text('policy_dir = "policies"\nsecret_key = "read by nobody"\n')
    with pytest.raises(ConfigError) as refused:
        Settings.from_file(str(path))
    assert len(refused.value.problems) == 7  # the secret in the file, 3 missing, 2 key files, the store
    with pytest.raises(ConfigError) as refused:
        Settings.from_file(str(path), server=False)
    assert [p.split(": ", 1)[1] for p in refused.value.problems] == [
        f"signing_key: {tmp_path}/certs/broker-signing.key does not exist",
        f"signing_cert: {tmp_path}/certs/broker-signing.crt does not exist",
    ]
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs/broker-signing.key").touch()
    (tmp_path / "certs/broker-signing.crt").touch()
    with pytest.raises(ConfigError) as refused:  # files there, but no key and no certificate
        Settings.from_file(str(path), server=False)
    assert [p.split(": ", 1)[1].split(" is ")[1] for p in refused.value.problems] == [
        "not a PEM private key without a password",
        "not a PEM certificate",
    ]
    generate(str(tmp_path / "certs/broker-signing.key"), str(tmp_path / "certs/broker-signing.crt"), "broker")
    settings = Settings.from_file(str(path), server=False)
    assert settings.secret_key is None and settings.policy_dir == str(tmp_path / "policies")


def test_create_app_reports_every_problem_of_its_dict(tmp_path, monkeypatch):
    monkeypatch.delenv("BROKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("BROKER_PAIRWISE_SECRET", raising=False)
    with pytest.raises(ConfigError) as refused:
        create_app({"UPSTREAM_SIGNED": "never", "METADATA_DIR": str(tmp_path / "none"), "STATE_BD": "x.db"})
    assert set(refused.value.problems) >= {
        "STATE_BD: unknown key (did you mean STATE_DB?)",
        "UPSTREAM_SIGNED: must be assertion, response, both or either",
        f"METADATA_DIR: {tmp_path}/none does not exist",
        "UPSTREAM_ENTITY_ID: missing",
        "SECRET_KEY: missing (set BROKER_SECRET_KEY in the environment)",
    }
