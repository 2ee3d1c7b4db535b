"""Where a worker's CPU time goes, for bench/login.py --profile; off unless BROKER_PROFILE_DIR is set.

Two modes (BROKER_PROFILE_MODE): "split" times, with the thread's CPU clock and no profiler, the
whole WSGI call, the view functions inside it, the XML-signature calls inside those, and counts
and times the SQL statements of both databases (execute and fetch); "cprofile" runs cProfile on
process time for the function-level detail (it slows Python code, not C).
"""

import cProfile
import json
import os
import time

SNAPSHOT_PATH = "/-/profile-split"  # only while BROKER_PROFILE_DIR is set
_CRYPTO = ("sign", "verify_enveloped", "sign_query", "verify_query")


def start(worker) -> None:
    if os.environ.get("BROKER_PROFILE_MODE", "cprofile") == "cprofile":
        worker.profile = cProfile.Profile(time.process_time)
        worker.profile.enable()
        return
    worker.split = {"requests": 0, "wsgi": 0.0, "views": 0.0, "crypto": 0.0, "sql": 0.0, "statements": 0}
    worker.split["calls"] = dict.fromkeys(_CRYPTO, 0)
    app = worker.wsgi
    _time_sql(app, worker.split)

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

    def counted(name: str, function):
        def call(*args, **kwargs):
            worker.split["calls"][name] += 1
            return function(*args, **kwargs)

        return call

    for name in _CRYPTO:  # the callers look these up on the module at each call
        setattr(crypto, name, counted(name, timed("crypto", getattr(crypto, name))))

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":  # the bench's start-up polls are no login's
            return app(environ, start_response)
        if environ.get("PATH_INFO") == SNAPSHOT_PATH:  # the figures so far, to leave a warm-up out
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(worker.split).encode()]
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


class _TimedCursor:
    def __init__(self, cursor, split: dict):
        self._cursor, self._split = cursor, split

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def _timed(self, method, *args):
        began = time.thread_time()
        try:
            return method(*args)
        finally:
            self._split["sql"] += time.thread_time() - began

    def fetchone(self):
        return self._timed(self._cursor.fetchone)

    def fetchall(self):
        return self._timed(self._cursor.fetchall)

    def fetchmany(self, *args):
        return self._timed(self._cursor.fetchmany, *args)

    def __iter__(self):
        return self

    def __next__(self):
        return self._timed(self._cursor.__next__)


class _TimedConnection:
    """Delegates to a sqlite3 connection; times execute() and the fetches of its cursors."""

    def __init__(self, conn, split: dict):
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_split", split)

    def __getattr__(self, name):
        return getattr(self._conn, name)

    @property
    def __class__(self):  # isinstance(): still an sqlite3 connection to broker.storage's engine choice
        return type(self._conn)

    def __setattr__(self, name, value):
        setattr(self._conn, name, value)

    def _run(self, method, *args):
        self._split["statements"] += 1
        began = time.thread_time()
        try:
            return _TimedCursor(method(*args), self._split)
        finally:
            self._split["sql"] += time.thread_time() - began

    def execute(self, *args):
        return self._run(self._conn.execute, *args)

    def executemany(self, *args):
        return self._run(self._conn.executemany, *args)


def _time_sql(app, split: dict) -> None:
    """Wrap the broker state's and the mandates store's SQLite connections, this thread's and later ones'."""
    from broker.storage import sqlite_engine

    opened_state = sqlite_engine.connect

    def connect(*args, **kwargs):
        return _TimedConnection(opened_state(*args, **kwargs), split)

    sqlite_engine.connect = connect
    state, store = app.extensions["state"], app.extensions["store"]
    if state.engine == sqlite_engine.ENGINE:
        state._db._local.conn = _TimedConnection(state.conn, split)
    opener, opened_store = store._opener, store._opener.open

    def open_store():
        return _timed_store(opened_store(), split)

    opener.open = open_store
    _timed_store(store.db, split)


def _timed_store(db, split: dict):
    if hasattr(db, "conn"):  # SQLite: the engine calls its connection's own methods on the hot path
        db.conn = _TimedConnection(db.conn, split)
        db.execute, db.executemany = db.conn.execute, db.conn.executemany
    return db
