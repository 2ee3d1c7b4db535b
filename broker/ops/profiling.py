"""Where a worker's CPU time goes, for bench/login.py --profile; off unless BROKER_PROFILE_DIR is set.

Two modes (BROKER_PROFILE_MODE): "split" times, with the thread's CPU clock and no profiler, the
whole WSGI call, the view functions inside it and the XML-signature calls inside those; "cprofile"
runs cProfile on process time for the function-level detail (it slows Python code, not C).
"""

import cProfile
import json
import os
import time

_CRYPTO = ("sign", "verify_enveloped", "sign_query", "verify_query")


def start(worker) -> None:
    if os.environ.get("BROKER_PROFILE_MODE", "cprofile") == "cprofile":
        worker.profile = cProfile.Profile(time.process_time)
        worker.profile.enable()
        return
    worker.split = {"requests": 0, "wsgi": 0.0, "views": 0.0, "crypto": 0.0}
    app = worker.wsgi

    def timed(into: str, function):
        def call(*args, **kwargs):
            began = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                worker.split[into] += time.thread_time() - began

        return call

    for name, view in list(app.view_functions.items()):
        app.view_functions[name] = timed("views", view)
    from broker.saml import crypto

    for name in _CRYPTO:  # the callers look these up on the module at each call
        setattr(crypto, name, timed("crypto", getattr(crypto, name)))

    def wsgi(environ, start_response):
        worker.split["requests"] += 1
        began = time.thread_time()
        try:
            body = app(environ, start_response)
            return [b"".join(body)]
        finally:
            worker.split["wsgi"] += time.thread_time() - began

    worker.wsgi = wsgi


def dump(server, worker) -> None:
    folder = os.environ["BROKER_PROFILE_DIR"]
    if hasattr(worker, "profile"):
        worker.profile.disable()
        worker.profile.dump_stats(os.path.join(folder, f"worker-{os.getpid()}.prof"))
    else:
        with open(os.path.join(folder, f"worker-{os.getpid()}.json"), "w") as handle:
            json.dump(dict(worker.split, total=time.process_time()), handle)
