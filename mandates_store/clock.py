"""The clock override `broker store --today DATE`, for tests and the demo only.

Acting as if today were another day would let an operator create, sign and stop mandates in the
past, which the domain forbids, and leave a history that lies about when things happened. So
--today is refused unless the environment sets MANDATES_STORE_TEST_CLOCK=1, and `broker serve`
and `broker config check` refuse to start where it is set: a host that serves is no test bench.
Mandates that really began in the past come in with `broker store import` (importing.py).
"""

import os

TEST_CLOCK_SWITCH = "MANDATES_STORE_TEST_CLOCK"


def clock_override_allowed(environ=None) -> bool:
    return (os.environ if environ is None else environ).get(TEST_CLOCK_SWITCH) == "1"
