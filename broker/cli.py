"""The `broker` command: one group, each concern adds its own subcommands."""

import click

from broker.ops.audit_cli import audit
from broker.ops.certs_cli import certs
from broker.ops.metadata_cli import metadata
from broker.ops.serve_cli import config_group, serve_command
from broker.ops.state_cli import state
from broker.policy.cli import policy
from mandates_store.cli import store


@click.group()
def main() -> None:
    """The mandate broker's command line."""


main.add_command(store)
main.add_command(policy)
main.add_command(audit)
main.add_command(state)
main.add_command(serve_command)
main.add_command(config_group)
main.add_command(metadata)
main.add_command(certs)
