"""`broker state purge`: what `broker serve` does on its schedule, once, now."""

import click

from broker.ops.state_option import state_option
from broker.storage.state import StateStore


@click.group("state")
def state() -> None:
    """The broker's state database (STATE_DB): flows, sessions, logouts, replay records."""


@state.command()
@state_option
def purge(state_db) -> None:
    """Remove expired flows and logouts, ended or expired sessions with their participants, and
    replay records no assertion needs any more; print how many rows of each kind went."""
    for kind, count in StateStore(state_db).purge().items():
        click.echo(f"{kind}\t{count}")
