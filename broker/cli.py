"""The `broker` command: one group, each concern adds its own subcommands."""

import click

from broker.policy.cli import policy
from mandates_store.cli import store


@click.group()
def main() -> None:
    """The mandate broker's command line."""


main.add_command(store)
main.add_command(policy)
