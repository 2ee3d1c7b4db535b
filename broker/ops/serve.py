"""`broker serve`: the broker under gunicorn with N worker processes.

All state a login needs between requests is in SQLite or the signed cookie, so each request of
one login may land on another worker.
"""

import functools
import os

from broker.ops import gc_tuning, purging
from broker.settings import Settings
from webserve.server import Server, child_exit, metrics_folder


def _load(settings: Settings):
    from broker import create_app
    from broker.ops.logs import configure

    configure()
    return create_app(settings)


def _worker_started(worker):
    purging.start(worker)
    gc_tuning.settle()  # last: what start-up built is frozen


def _purging_and_profiling(worker):
    from broker.ops import profiling

    _worker_started(worker)  # first: purging reads the Flask app that profiling wraps
    profiling.start(worker)


def gunicorn_options(settings: Settings) -> dict:
    serve_options = settings.serve
    return {
        "bind": serve_options.bind,
        "workers": serve_options.workers or os.cpu_count() or 1,
        "threads": serve_options.threads,
        # measured (bench/login.py): gthread with keep-alive costs a sync worker's one-thread broker
        # more CPU per login (+0.3 to +0.9 ms) than the accept and close per request it saves
        "worker_class": "gthread" if serve_options.threads > 1 else "sync",
        "timeout": serve_options.timeout,
        # SIGTERM (a restart, a scale-down): workers stop taking requests and get this long to finish
        # the ones in flight; a worker killed outright resets its connections (README "Operations")
        "graceful_timeout": serve_options.graceful_timeout,
        # X-Forwarded-Proto from these proxies makes a request https (the CSRF check's strict
        # Referer test follows it); the broker builds no URL from the request (all from BASE_URL)
        "forwarded_allow_ips": serve_options.forwarded_allow_ips,
        "child_exit": child_exit,
        "accesslog": None,
        # gunicorn_h1c (setup.cfg) parses the request line and headers in C instead of Python
        "http_parser": "auto",
        # the heartbeat file each worker touches once per request: in memory, not on the disk
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        "preload_app": False,  # each worker opens its own SQLite connections
        "post_worker_init": _worker_started,
    }


def check_before_fork(settings: Settings) -> None:
    """Fail here, before forking, when anything is wrong; then close what the app opened. A worker
    must not inherit an SQLite connection: closing it there (a garbage-collector pass does) drops
    the other processes' locks on the file, and committed writes of another worker were lost."""
    from broker import create_app

    app = create_app(settings)
    app.extensions["state"].close()
    app.extensions["store"].shutdown()


def serve(settings: Settings) -> None:
    metrics_folder("broker-metrics-")
    check_before_fork(settings)
    options = gunicorn_options(settings)
    if os.environ.get("BROKER_PROFILE_DIR"):  # bench/login.py --profile
        from broker.ops import profiling

        options.update(post_worker_init=_purging_and_profiling, worker_exit=profiling.dump)
    Server(functools.partial(_load, settings), options).run()
