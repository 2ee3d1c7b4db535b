"""store_db names an SQLite path or a PostgreSQL URL: a URL is not taken for a path, and a URL
holding a password is refused (the password comes from PGPASSWORD, ~/.pgpass or a service file)."""

import pytest

from broker.settings import ConfigError, Settings
from selfservice.settings import from_toml


def broker_toml(tmp_path, store_db: str) -> str:
    (tmp_path / "policies").mkdir(parents=True)
    (tmp_path / "metadata").mkdir()
    path = tmp_path / "broker.toml"
    path.write_text(f'policy_dir = "policies"\nstore_db = "{store_db}"\n')
    return str(path)


def test_a_store_url_stays_a_url_and_is_checked_against_its_server(tmp_path, postgres_server):
    url = postgres_server.create_database()  # empty: no store in it yet
    with pytest.raises(ConfigError) as refused:
        Settings.from_file(broker_toml(tmp_path, url), server=True)
    assert f"store_db: {url}: no mandates store in this database; create one with `broker store init --db {url}`" in (
        str(refused.value)
    )
    from mandates_store import Store

    Store(url).shutdown()  # what `broker store init` does
    with pytest.raises(ConfigError) as other_problems:  # this folder has no keys: only those remain
        Settings.from_file(broker_toml(tmp_path / "again", url), server=True)
    assert "signing_key" in str(other_problems.value) and "store_db" not in str(other_problems.value)


def test_a_store_url_with_a_password_is_refused_without_showing_it(tmp_path):
    path = broker_toml(tmp_path, "postgresql://broker:s3cret@db.example:5432/mandates")
    with pytest.raises(ConfigError) as refused:
        Settings.from_file(path, server=True)
    text = str(refused.value)
    assert "store_db: postgresql://broker:***@db.example:5432/mandates: the URL holds a password; leave it out" in text
    assert "s3cret" not in text


def test_the_selfservice_settings_take_a_url_and_refuse_one_with_a_password(tmp_path):
    path = tmp_path / "selfservice.toml"
    path.write_text('store_db = "postgresql://broker@db.example/mandates"\n')
    assert from_toml(str(path), {"SELFSERVICE_SECRET_KEY": "k"}).store_db == "postgresql://broker@db.example/mandates"
    path.write_text('store_db = "postgresql://broker@db.example/mandates?password=s3cret"\n')
    with pytest.raises(ValueError, match=r"store_db: .*password=\*\*\*: the URL holds a password") as refused:
        from_toml(str(path), {"SELFSERVICE_SECRET_KEY": "k"})
    assert "s3cret" not in str(refused.value)
