"""Python's garbage collector in a broker worker: what start-up built stays out of its passes.

A worker holds tens of thousands of long-lived objects (the app, metadata, policies, templates);
each full collection walked them all, and the big-firm login (2,000 givers) allocates enough to
set one off: the p99 of the login options doubled on a store's second run. After start-up,
gc.freeze() moves them to the permanent generation, which no pass walks; a larger first threshold
means fewer passes over a request's young objects. Reference cycles are still collected.
"""

import gc

# objects allocated (minus freed) before a young-generation pass; CPython's default is 700
YOUNG_THRESHOLD = 20_000


def settle() -> None:
    """Call once, after start-up and before the first request."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
