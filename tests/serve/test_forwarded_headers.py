"""[serve] forwarded_allow_ips: the TLS front (README "Beyond one machine") whose X-Forwarded-Proto
gunicorn believes; a request from elsewhere stays http whatever its headers say."""

import pytest

from broker.ops.serve import gunicorn_options
from broker.settings import ConfigError, Settings


def _config(demo, tmp_path, serve_table: str) -> str:
    config = tmp_path / "broker.toml"
    config.write_text(
        f'upstream_entity_id = "{demo.broker["UPSTREAM_ENTITY_ID"]}"\n'
        f'signing_key = "{demo.broker["SIGNING_KEY"]}"\nsigning_cert = "{demo.broker["SIGNING_CERT"]}"\n'
        f'metadata_dir = "{demo.broker["METADATA_DIR"]}"\npolicy_dir = "{demo.broker["POLICY_DIR"]}"\n'
        f"[serve]\n{serve_table}"
    )
    return str(config)


def test_the_trusted_proxies_reach_gunicorn(demo, tmp_path):
    config = _config(demo, tmp_path, 'forwarded_allow_ips = "10.0.0.5,10.0.1.0/24"\n')
    options = gunicorn_options(Settings.from_file(config, server=False))
    assert options["forwarded_allow_ips"] == "10.0.0.5,10.0.1.0/24"
    assert gunicorn_options(Settings())["forwarded_allow_ips"] == "127.0.0.1,::1"  # gunicorn's own default


def test_a_proxy_that_is_no_address_is_refused_with_its_line(demo, tmp_path):
    config = _config(demo, tmp_path, 'forwarded_allow_ips = "10.0.0.5, nginx.internal"\n')
    with pytest.raises(ConfigError) as refused:
        Settings.from_file(config, server=False)
    assert refused.value.problems == [
        f"{config}:7: serve.forwarded_allow_ips: must be IP addresses or networks, comma-separated "
        "(e.g. 10.0.0.5,10.0.1.0/24), or *, not 'nginx.internal'"
    ]
