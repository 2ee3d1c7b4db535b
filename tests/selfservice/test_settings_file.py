"""selfservice's TOML file: relative paths from the file's folder, a store URL as it is (README
"Beyond one machine")."""

from selfservice.settings import from_toml


def test_a_store_url_is_no_path_and_a_relative_path_is_the_files_folders(tmp_path):
    config = tmp_path / "selfservice.toml"
    config.write_text('store_db = "postgresql://broker@db.example:5432/mandates"\nbulk_dir = "var/bulk"\n')
    settings = from_toml(str(config), environ={"SELFSERVICE_SECRET_KEY": "k"})
    assert settings.store_db == "postgresql://broker@db.example:5432/mandates"
    assert settings.bulk_dir == str(tmp_path / "var/bulk")
