"""`broker metadata export|refresh|list`: the broker's own metadata and its partners'."""

import sys

import click

from broker.policy.registry import PolicyRegistry
from broker.saml.cli_config import config_option, read
from broker.saml.metadata import MetadataRegistry
from broker.saml.metadata_sources import describe
from broker.saml.publishing import own_metadata


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
    published = own_metadata(read(config_path))
    document = published.idp() if kind == "idp" else published.sp()
    if output:
        with open(output, "wb") as handle:
            handle.write(document)
    else:
        sys.stdout.buffer.write(document)


def _registry(values: dict) -> MetadataRegistry:
    return MetadataRegistry(
        values["METADATA_DIR"],
        values["METADATA_SOURCES"],
        values["METADATA_CACHE_DIR"],
        float(values["METADATA_FETCH_TIMEOUT"]),
    )


@metadata.command()
@config_option
def refresh(config_path) -> None:
    """Fetch every configured source now; accepted documents replace the cached copies. Exit 1 when one is refused."""
    registry = _registry(read(config_path))
    for location, outcome in registry.outcomes.items():
        click.echo(f"{location}: {outcome}")
    if not registry.outcomes:
        click.echo("no metadata sources configured (METADATA_SOURCES)", err=True)
    if any(outcome != "accepted" for outcome in registry.outcomes.values()):
        sys.exit(1)


@metadata.command("list")
@config_option
def list_entities(config_path) -> None:
    """Every known entity: roles, source, expiry, and whether a policy file exists for it."""
    values = read(config_path)
    registry = _registry(values)
    policies = PolicyRegistry(values["POLICY_DIR"])
    click.echo("entity\troles\tsource\torigin\tvalid until\tpolicy")
    for entity_id, info in sorted(registry.entities.items()):
        policy = "yes" if policies.get(entity_id) is not None else ("-" if "sp" not in info.roles else "no")
        click.echo(
            "\t".join((entity_id, ",".join(info.roles), info.source, info.origin, describe(info.valid_until), policy))
        )
