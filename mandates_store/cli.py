"""`broker store …`: load, change, search and export the mandates store."""

import click


@click.group()
def store() -> None:
    """Work on the mandates store (parties, rights, mandates)."""
