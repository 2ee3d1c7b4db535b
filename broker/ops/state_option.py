"""The --state option of `broker state` and `broker audit`: an existing SQLite file or a
PostgreSQL URL (without a password: libpq takes it from the environment or a pass file)."""

import os

import click

from broker.storage.database import engine_of, location_problem


def _location(context, parameter, value: str) -> str:
    if engine_of(value) == "postgresql":
        if problem := location_problem(value):
            raise click.BadParameter(problem)
        return value
    if not os.path.isfile(value):
        raise click.BadParameter(f"{value}: no such file")
    return value


state_option = click.option(
    "--state", "state_db", required=True, callback=_location, help="the STATE_DB file or postgresql:// URL"
)
