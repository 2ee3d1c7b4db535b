"""`broker state purge`: what `broker serve` does on its schedule, once, now."""

import click

from broker.storage.state import StateStore


@click.group("state")
def state() -> None:
    """The broker's state file (STATE_DB): flows, sessions, logouts, replay records."""


@state.command()
@click.option(
    "--state", "state_db", required=True, type=click.Path(exists=True, dir_okay=False), help="the STATE_DB file"
)
def purge(state_db) -> None:
    """Remove expired flows and logouts, ended or expired sessions with their participants, and
    replay records no assertion needs any more; print how many rows of each kind went."""
    for kind, count in StateStore(state_db).purge().items():
        click.echo(f"{kind}\t{count}")
