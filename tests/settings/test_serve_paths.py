"""`broker serve` reads every path in broker.toml relative to the file's folder, as `broker metadata`
does: the next signing key, the metadata cache and the metadata sources' files included."""

import os

from click.testing import CliRunner

from broker import create_app
from broker.cli import main
from broker.saml.keys import certificate_b64
from tests.metadata.test_rollover import published_certs
from tests.settings.site import SOURCE_SP, write_site


def test_serve_reads_next_key_cache_and_sources_relative_to_the_file(demo, tmp_path, monkeypatch):
    site = tmp_path / "site"
    config = write_site(demo, str(site))
    monkeypatch.setenv("BROKER_SECRET_KEY", demo.broker["SECRET_KEY"])
    monkeypatch.setenv("BROKER_PAIRWISE_SECRET", demo.broker["PAIRWISE_SECRET"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    started = []
    monkeypatch.setattr("broker.ops.serve.serve", started.append)

    result = CliRunner().invoke(main, ["serve", "--config", config])
    assert result.exit_code == 0, result.output
    app = create_app(started[0])  # what serve() does before it forks

    certs = published_certs(app.test_client().get("/saml/idp/metadata").data)
    assert certs[1] == certificate_b64((site / "next/next.crt").read_bytes())
    assert SOURCE_SP in app.extensions["metadata"].service_providers
    assert os.listdir(site / "cache") and os.listdir(elsewhere) == []
