"""`broker serve` and `broker config check`."""

import sys

import click

from broker.config import ConfigError


@click.command("serve")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False), help="the TOML file")
@click.option("--workers", type=int, help="worker processes (default: [serve] workers, 0 = the number of cores)")
@click.option("--bind", help="host:port (default: [serve] bind)")
def serve_command(config_path, workers, bind):
    """Run the broker under gunicorn."""
    from broker.config_file import load
    from broker.ops.serve import serve

    try:
        settings, options = load(config_path)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if workers is not None:
        options["workers"] = workers
    if bind:
        options["bind"] = bind
    serve(settings, options)


@click.group("config")
def config_group():
    """Check the broker's configuration file."""


@config_group.command("check")
@click.argument("config_path", type=click.Path(dir_okay=False))
def check(config_path):
    """Validate the file and the environment's secrets; exit 1 with every problem."""
    from broker.config_file import load

    try:
        load(config_path)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{config_path}: ok")
