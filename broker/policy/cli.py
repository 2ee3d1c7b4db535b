"""`broker policy …`: check and explain the per-application policy files."""

import click


@click.group()
def policy() -> None:
    """Check and explain per-application policy files."""
