"""A Store on PostgreSQL that nobody shuts down (a CLI command, a test, an app torn down) closes
its pool when it is collected. Left to the pool's own __del__, the last reference could go in one
of the pool's worker threads, which then tried to join itself ("cannot join current thread")."""

import gc
import sys
import threading
import weakref

from mandates_store import Store


def test_a_store_dropped_without_shutdown_closes_its_pool(postgres_url):
    store = Store(postgres_url)
    pool = store._opener.pool
    del store
    gc.collect()
    closed = threading.Event()
    for _ in range(200):  # the close runs in a thread of its own
        if pool.closed:
            break
        closed.wait(0.05)
    assert pool.closed, "the pool is closed with the Store that opened it"


class _InWorker:
    """A task for the pool's worker queue: it drops the Store's last reference in that thread."""

    def __init__(self, holder: list, go: threading.Event, done: threading.Event):
        self.holder, self.go, self.done = holder, go, done

    def run(self):
        self.go.wait(10)
        self.holder.clear()
        self.done.set()


def test_a_store_whose_last_reference_goes_in_a_pool_worker_closes_the_pool_cleanly(postgres_url):
    unraisable = []
    original, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        holder, go, done = [Store(postgres_url)], threading.Event(), threading.Event()
        pool = holder[0]._opener.pool
        pool_gone = weakref.ref(pool)
        pool.run_task(_InWorker(holder, go, done))
        del pool
        go.set()
        assert done.wait(10)
        for _ in range(200):
            alive = pool_gone()
            if alive is None or alive.closed:
                break
            done.wait(0.05)
            del alive
        alive = pool_gone()
        assert alive is None or alive.closed
        del alive
    finally:
        sys.unraisablehook = original
    assert [str(u.exc_value) for u in unraisable] == []
