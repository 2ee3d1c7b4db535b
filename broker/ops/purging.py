"""Purging the state file on a schedule inside `broker serve`, without another daemon.

Each worker looks every LOOK_EVERY seconds; the one that claims the period in the state file
(StateStore.claim_purge, a conditional UPDATE) purges, the others find it done. Several
`broker serve` processes on one file share the schedule the same way.
"""

import logging
import random
import threading
import time

PURGE_EVERY = 600.0
LOOK_EVERY = 60.0

log = logging.getLogger(__name__)


def purge_if_due(state, every: float = PURGE_EVERY, now: float | None = None) -> dict[str, int] | None:
    """Purge when no process did in the last `every` seconds; None when it was not this one's turn."""
    now = time.time() if now is None else now
    if not state.claim_purge(every, now):
        return None
    removed = state.purge(now)
    log.info("state purged: %s", ", ".join(f"{kind}={count}" for kind, count in removed.items()))
    return removed


def run_schedule(state, stop: threading.Event, every: float = PURGE_EVERY, look: float = LOOK_EVERY) -> None:
    wait = random.uniform(0, 2)  # soon after start, not all workers in the same instant
    while not stop.wait(wait):
        try:
            purge_if_due(state, every)
        except Exception:  # a busy file or a full disk: the next look tries again
            log.exception("state purge failed")
        wait = look


def start(worker) -> None:
    """gunicorn's post_worker_init: the schedule in a daemon thread of this worker (its own connection)."""
    state = worker.wsgi.extensions["state"]
    thread = threading.Thread(target=run_schedule, args=(state, threading.Event()), name="state-purge", daemon=True)
    thread.start()
