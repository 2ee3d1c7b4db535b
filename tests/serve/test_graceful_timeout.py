"""[serve] graceful_timeout: how long a stopping worker may finish the requests in flight (README
"Running it"); it reaches gunicorn with the other [serve] options."""

from broker.ops.serve import gunicorn_options
from broker.settings import Settings


def test_graceful_timeout_from_the_file_reaches_gunicorn(demo, tmp_path):
    config = tmp_path / "broker.toml"
    config.write_text(
        f'upstream_entity_id = "{demo.broker["UPSTREAM_ENTITY_ID"]}"\n'
        f'signing_key = "{demo.broker["SIGNING_KEY"]}"\nsigning_cert = "{demo.broker["SIGNING_CERT"]}"\n'
        f'metadata_dir = "{demo.broker["METADATA_DIR"]}"\npolicy_dir = "{demo.broker["POLICY_DIR"]}"\n'
        "[serve]\ngraceful_timeout = 45\ntimeout = 20\n"
    )
    options = gunicorn_options(Settings.from_file(str(config), server=False))
    assert (options["graceful_timeout"], options["timeout"]) == (45, 20)
    assert gunicorn_options(Settings())["graceful_timeout"] == 30  # gunicorn's own default
