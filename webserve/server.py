"""A Flask application under gunicorn with the options its settings give (gunicorn reads no
command line of its own), and prometheus_client's metrics summed over the worker processes."""

import os
import tempfile
from collections.abc import Callable

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    """load: builds the application, in each worker (neither application preloads)."""

    def __init__(self, load: Callable, options: dict):
        self.load_application = load
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.load_application()


def metrics_folder(prefix: str) -> None:
    """prometheus_client picks its multi-process mode when first imported: call this before that."""
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix=prefix))


def child_exit(server, worker) -> None:
    """gunicorn's child_exit hook: a dead worker's metrics files stop counting as live."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
