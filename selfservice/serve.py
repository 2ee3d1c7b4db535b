"""`selfservice serve --config FILE`: the application under gunicorn with N worker processes.

Everything a page needs between requests is in the signed cookie or the store, so any worker can
answer any request.
"""

import argparse
import functools
import sys

from selfservice.settings import Settings, from_toml
from webserve.server import Server, child_exit, metrics_folder


def _load(settings: Settings):
    from selfservice import create_app
    from selfservice.logs import configure

    configure()
    return create_app(settings)


def check_before_fork(settings: Settings) -> None:
    """Fail here, before forking, when anything is wrong; then close the store's connection, which a
    worker must not inherit (see broker/ops/serve.py's check_before_fork)."""
    from selfservice import create_app

    create_app(settings).extensions["selfservice_store"].shutdown()


def serve(settings: Settings) -> None:
    metrics_folder("selfservice-metrics-")
    check_before_fork(settings)
    options = {
        "bind": settings.serve.bind,
        "workers": settings.serve.workers,
        "threads": settings.serve.threads,
        "worker_class": "gthread" if settings.serve.threads > 1 else "sync",
        "timeout": settings.serve.timeout,
        "accesslog": None,
        "child_exit": child_exit,
        "preload_app": False,
    }
    Server(functools.partial(_load, settings), options).run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="selfservice", description="Mandatenbeheer, the self-service application")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_command = commands.add_parser("serve", help="run under gunicorn")
    serve_command.add_argument("--config", required=True, help="the TOML settings file")
    metadata_command = commands.add_parser("metadata", help="print this application's SP metadata")
    metadata_command.add_argument("--config", required=True)
    args = parser.parse_args(argv)
    try:
        settings = from_toml(args.config)
    except (OSError, ValueError) as error:
        sys.exit(f"selfservice: {error}")
    if args.command == "metadata":
        from selfservice.saml_client import sp_metadata

        print(sp_metadata(settings))
        return
    sys.argv = sys.argv[:1]  # gunicorn reads the command line too
    serve(settings)


if __name__ == "__main__":
    main()
