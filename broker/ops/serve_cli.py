"""`broker serve` and `broker config check`: one loader, so both report the same problems."""

import dataclasses
import sys

import click

from broker.settings import ConfigError, Settings, serve_option_problem


def _load(config_path: str) -> Settings:
    try:
        return Settings.from_file(config_path)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


def _serve_option(ctx, param, value):
    """--workers and --bind get the [serve] table's checks."""
    if value is not None and (problem := serve_option_problem(param.name, value)):
        raise click.BadParameter(problem)
    return value


@click.command("serve")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False), help="the TOML file")
@click.option(
    "--workers",
    type=int,
    callback=_serve_option,
    help="worker processes (default: [serve] workers, 0 = the number of cores)",
)
@click.option("--bind", callback=_serve_option, help="host:port (default: [serve] bind)")
def serve_command(config_path, workers, bind):
    """Run the broker under gunicorn."""
    from broker.ops.serve import serve

    settings = _load(config_path)
    overrides = {name: value for name, value in (("workers", workers), ("bind", bind)) if value is not None}
    serve(dataclasses.replace(settings, serve=dataclasses.replace(settings.serve, **overrides)))


@click.group("config")
def config_group():
    """Check the broker's configuration file."""


@config_group.command("check")
@click.argument("config_path", type=click.Path(dir_okay=False))
def check(config_path):
    """Validate the file and the environment's secrets; exit 1 with every problem."""
    _load(config_path)
    click.echo(f"{config_path}: ok")
