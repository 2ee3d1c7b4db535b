"""`broker config check` finds what `broker serve` would trip on later, with file:line: gunicorn's
options, a store that is not there (only `broker store init` makes one), a state file whose folder
cannot be made, key files that are no keys or no pair. The state file's folder is the broker's to
create, so a new one is fine for both."""

import os

import pytest
from click.testing import CliRunner

from broker import create_app
from broker.cli import main
from mandates_store.clock import TEST_CLOCK_SWITCH
from tests.settings.site import build_site, render


@pytest.fixture
def site(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("BROKER_SECRET_KEY", demo.broker["SECRET_KEY"])
    monkeypatch.setenv("BROKER_PAIRWISE_SECRET", demo.broker["PAIRWISE_SECRET"])
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "a-file").write_text("not a folder")
    return str(folder), build_site(demo, str(folder))


def check(folder: str, values: dict, serve: str = "") -> tuple[str, list[str], str]:
    path = os.path.join(folder, "broker.toml")
    text = render(values) + serve
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    result = CliRunner().invoke(main, ["config", "check", path])
    return path, result.stderr.splitlines() if result.exit_code else [], text


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_serve_options_gunicorn_would_refuse(site):
    folder, values = site
    serve = '[serve]\nbind = "localhost"\nworkers = -1\nthreads = 0\ntimeout = 0\n'
    path, problems, text = check(folder, values, serve)
    assert problems == [
        f"{path}:{line_of(text, 'bind')}: serve.bind: must be HOST:PORT (e.g. 127.0.0.1:8080) or unix:PATH, "
        "not 'localhost'",
        f"{path}:{line_of(text, 'workers')}: serve.workers: must be 0 (the number of cores) or more, not -1",
        f"{path}:{line_of(text, 'threads')}: serve.threads: must be 1 or more, not 0",
        f"{path}:{line_of(text, 'timeout')}: serve.timeout: must be 1 (seconds) or more, not 0",
    ]
    assert check(folder, values, '[serve]\nbind = "[::1]:8080"\nworkers = 0\n')[1] == []


def test_serve_refuses_the_same_and_its_command_line_overrides(site, monkeypatch):
    folder, values = site
    monkeypatch.setattr("broker.ops.serve.serve", lambda settings: pytest.fail("served"))
    path, problems, _ = check(folder, values, "[serve]\nworkers = -1\n")
    served = CliRunner().invoke(main, ["serve", "--config", path])
    assert served.exit_code == 1 and served.stderr.splitlines() == problems
    check(folder, values)
    for option in (["--workers", "-1"], ["--bind", "8080"]):
        refused = CliRunner().invoke(main, ["serve", "--config", path, *option])
        assert refused.exit_code == 2 and f"Invalid value for '{option[0]}'" in refused.stderr


def test_a_store_that_is_not_there_or_no_store(site):
    folder, values = site
    for store_db, reason in (
        ("nowhere/store.db", "no store there; create one with `broker store init --db {p}`"),
        ("a-file", "not a mandates store (file is not a database)"),
    ):
        path, problems, text = check(folder, dict(values, store_db=store_db))
        full = os.path.join(folder, store_db)
        assert problems == [f"{path}:{line_of(text, 'store_db')}: store_db: {full}: {reason.format(p=full)}"]
    assert not os.path.exists(os.path.join(folder, "nowhere"))


def test_a_state_file_whose_folder_cannot_be_made_but_a_new_folder_is_fine(site, monkeypatch):
    folder, values = site
    path, problems, text = check(folder, dict(values, state_db="a-file/state.db"))
    line = line_of(text, "state_db")
    assert problems == [f"{path}:{line}: state_db: its folder cannot be created: {folder}/a-file is a file"]
    path, problems, text = check(folder, dict(values, state_db="a-file"))
    assert problems == [f"{path}:{line}: state_db: {folder}/a-file is not an SQLite file"]
    assert check(folder, dict(values, state_db="new/deeper/state.db"))[1] == []
    served = []
    monkeypatch.setattr("broker.ops.serve.serve", served.append)
    assert CliRunner().invoke(main, ["serve", "--config", path]).exit_code == 0
    create_app(served[0])  # what serve does before it forks: it makes the state file's folder
    assert os.path.exists(os.path.join(folder, "new/deeper/state.db"))


def test_key_files_that_are_no_key_no_certificate_or_no_pair(site):
    folder, values = site
    path, problems, text = check(
        folder, dict(values, signing_key=values["signing_cert"], decryption_cert=values["decryption_key"])
    )
    assert problems == [
        f"{path}:{line_of(text, 'signing_key')}: signing_key: {folder}/{values['signing_cert']} is not a PEM "
        "private key without a password",
        f"{path}:{line_of(text, 'decryption_cert')}: decryption_cert: {folder}/{values['decryption_key']} is not "
        "a PEM certificate",
    ]
    path, problems, text = check(folder, dict(values, signing_cert=values["decryption_cert"]))
    assert problems == [
        f"{path}:{line_of(text, 'signing_cert')}: signing_cert: {folder}/{values['decryption_cert']} is not the "
        "certificate of signing_key"
    ]


def test_serve_and_check_refuse_to_start_with_the_store_test_clock_switched_on(site, monkeypatch):
    folder, values = site
    monkeypatch.setattr("broker.ops.serve.serve", lambda settings: pytest.fail("served"))
    monkeypatch.setenv(TEST_CLOCK_SWITCH, "1")
    path, problems, _ = check(folder, values)
    assert problems == [
        f"{path}: {TEST_CLOCK_SWITCH}: set in the environment: the mandates store's test clock (broker store "
        "--today) has no place where the broker serves; unset it"
    ]
    served = CliRunner().invoke(main, ["serve", "--config", path])
    assert served.exit_code == 1 and served.stderr.splitlines() == problems
    monkeypatch.delenv(TEST_CLOCK_SWITCH)
    assert check(folder, values)[1] == []


def test_times_and_durations_the_broker_cannot_run_with(site):
    folder, values = site
    bad = dict(values, clock_skew=-1, session_lifetime=0, metadata_cache_duration="six hours")
    path, problems, text = check(folder, bad)
    assert problems == [
        f"{path}:{line_of(text, 'metadata_cache_duration')}: metadata_cache_duration: must be an xs:duration such "
        "as PT6H or P1D, not 'six hours'",
        f"{path}:{line_of(text, 'clock_skew')}: clock_skew: must be 0 or more, not -1",
        f"{path}:{line_of(text, 'session_lifetime')}: session_lifetime: must be 1 or more, not 0",
    ]
    assert check(folder, dict(values, clock_skew=0, metadata_cache_duration="P1D"))[1] == []


def test_a_state_url_with_a_password_is_refused_and_one_without_kept_as_given(site, postgres_url):
    folder, values = site
    path, problems, text = check(folder, dict(values, state_db="postgresql://broker:s3cret@db.example:5432/state"))
    assert problems == [
        f"{path}:{line_of(text, 'state_db')}: state_db: postgresql://broker@db.example:5432/state: a password in "
        "the URL; give it in PGPASSWORD, ~/.pgpass (PGPASSFILE) or a PGSERVICE file"
    ]
    assert check(folder, dict(values, state_db=postgres_url))[1] == []
    from broker.settings import Settings

    assert Settings.from_file(path).state_db == postgres_url, "a URL, not a path under the file's folder"
