"""`broker metadata export|refresh|list`: the broker's own metadata and its partners'."""

import sys

import click

from broker.policy.registry import PolicyRegistry
from broker.saml.metadata import MetadataRegistry
from broker.saml.metadata_sources import describe
from broker.saml.publishing import own_metadata
from broker.settings import ConfigError, Settings

config_option = click.option(
    "--config",
    "config_path",
    envvar="BROKER_CONFIG",
    type=click.Path(dir_okay=False),
    help="The broker's TOML configuration file (env BROKER_CONFIG).",
)


def read(config_path: str | None) -> Settings:
    """The file's settings (the defaults without one); these commands need no secrets."""
    try:
        if config_path:
            return Settings.from_file(config_path, server=False)
        return Settings.from_mapping({}, server=False)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def metadata() -> None:
    """Publish the broker's metadata; refresh and list its partners' metadata."""


@metadata.command()
@config_option
@click.option("--idp", "kind", flag_value="idp", default=True, help="The IdP metadata, for applications (default).")
@click.option("--sp", "kind", flag_value="sp", help="The SP metadata, for the upstream authenticator.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
def export(config_path, kind, output) -> None:
    """Print the broker's signed metadata, as served at /saml/idp/metadata or /saml/sp/metadata."""
    settings = read(config_path)
    published = own_metadata(settings, PolicyRegistry(settings.policy_dir), _registry(settings))
    document = published.idp() if kind == "idp" else published.sp()
    if output:
        with open(output, "wb") as handle:
            handle.write(document)
    else:
        sys.stdout.buffer.write(document)


def _registry(settings: Settings) -> MetadataRegistry:
    return MetadataRegistry(
        settings.metadata_dir,
        settings.metadata_sources,
        settings.metadata_cache_dir,
        float(settings.metadata_fetch_timeout),
    )


@metadata.command()
@config_option
def refresh(config_path) -> None:
    """Fetch every configured source now; accepted documents replace the cached copies. Exit 1 when one is refused."""
    registry = _registry(read(config_path))
    for location, outcome in registry.outcomes.items():
        click.echo(f"{location}: {outcome}")
    if not registry.outcomes:
        click.echo("no metadata sources configured (metadata_sources)", err=True)
    if any(outcome != "accepted" for outcome in registry.outcomes.values()):
        sys.exit(1)


@metadata.command("list")
@config_option
def list_entities(config_path) -> None:
    """Every known entity: roles, source, expiry, and whether a policy file exists for it."""
    settings = read(config_path)
    registry = _registry(settings)
    policies = PolicyRegistry(settings.policy_dir)
    click.echo("entity\troles\tsource\torigin\tvalid until\tpolicy")
    for entity_id, info in sorted(registry.entities.items()):
        policy = "yes" if policies.get(entity_id) is not None else ("-" if "sp" not in info.roles else "no")
        click.echo(
            "\t".join((entity_id, ",".join(info.roles), info.source, info.origin, describe(info.valid_until), policy))
        )
