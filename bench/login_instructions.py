"""Instructions per login in the broker's requests, counted by valgrind: a figure the load of a
shared machine does not move, for comparing two source trees where CPU time is too noisy. A
single-option login, or with --login chooser one through the chooser (its first card chosen).

Every party runs in one process on Flask test clients (as bench/login_loop.py). The broker's WSGI
calls run inside functools.reduce and its signature calls inside operator.call, two C functions
nothing else on that path calls: callgrind collects only inside the first (--toggle-collect), and
its inclusive count of the second gives the signature calls. Slow (valgrind): ~10 s per login.

    .venv/bin/python bench/login_instructions.py [--logins 10] [--tree /path/to/other/tree] [--login chooser]
"""

import argparse
import functools
import gc
import logging
import operator
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTING = [False]


def prepare_parties(workdir: str) -> None:
    """Keys, metadata, stores and policies, made outside valgrind (key generation is slow there)."""
    sys.path.insert(0, HERE)
    from demo.environment import copy_policies, prepare

    env = prepare(os.path.join(workdir, "demo"), policy_dir=copy_policies(os.path.join(workdir, "policies")))
    env.broker["SESSION_COOKIE_SECURE"] = False
    with open(os.path.join(workdir, "env.pickle"), "wb") as handle:
        pickle.dump(env, handle)


def run_logins(tree: str, logins: int, workdir: str, chooser: bool) -> None:
    """The child, under valgrind: `tree`'s broker (JSON log lines as under `broker serve`), this
    tree's demo peers."""
    sys.path[:0] = [tree, HERE]
    from broker import create_app
    from broker.ops.logs import configure
    from broker.saml import crypto
    from demo.application import create_application_app
    from demo.upstream import create_upstream_app
    from mandates_store import demo_data
    from tests.browser import Browser

    configure()
    logging.getLogger().handlers[0].setStream(open(os.devnull, "w"))
    with open(os.path.join(workdir, "env.pickle"), "rb") as handle:
        env = pickle.load(handle)
    broker = create_app(env.broker)
    for name in ("sign", "verify_enveloped", "sign_query", "verify_query"):
        function = getattr(crypto, name)
        setattr(crypto, name, functools.partial(_counted_apart, function))
    inner = broker.wsgi_app
    broker.wsgi_app = lambda environ, start: _collected(lambda: inner(environ, start))
    apps = {
        "localhost:8080": broker,
        "localhost:8090": create_upstream_app(**env.upstream),
        "localhost:8000": create_application_app(**env.application),
    }
    browser = Browser(apps)

    person = demo_data.PERSON_EXECUTOR if chooser else demo_data.PERSON_OWN_NAME_ONLY

    def login():
        page = browser.submit(browser.get("http://localhost:8000/login"), {"person": person, "means": "eid"})
        if chooser:
            last = len(page.doc.forms) - 1
            token = page.form(last).xpath(".//button[@name='option']")[0].get("value")
            page = browser.submit(page, {"option": token}, index=last)
        assert page.url == "http://localhost:8000/", page.url
        for client in browser.clients.values():
            client._cookies.clear()

    for _ in range(3):  # warm-up: caches, first-use imports
        login()
    gc.collect()
    gc.freeze()
    COLLECTING[0] = True
    for _ in range(logins):
        login()


def _collected(call):
    return functools.reduce(lambda _a, _b: call(), (0, 0)) if COLLECTING[0] else call()


def _counted_apart(function, *args, **kwargs):
    return operator.call(function, *args, **kwargs) if COLLECTING[0] else function(*args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=10)
    parser.add_argument("--tree", default=HERE, help="the source tree whose broker is counted")
    parser.add_argument("--login", choices=("single", "chooser"), default="single")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_logins(os.path.abspath(args.tree), args.logins, args.child, args.login == "chooser")
    workdir = tempfile.mkdtemp(prefix="bench-instructions-")
    try:
        prepare_parties(workdir)
        out = os.path.join(workdir, "callgrind.out")
        command = ["valgrind", "--tool=callgrind", "--toggle-collect=functools_reduce", f"--callgrind-out-file={out}"]
        command += [sys.executable, os.path.abspath(__file__), "--logins", str(args.logins), "--tree", args.tree]
        command += ["--login", args.login]
        done = subprocess.run(command + ["--child", workdir], capture_output=True, text=True)
        collected = re.search(r"Collected : ([\d,]+)", done.stderr)
        if done.returncode or not collected:
            raise SystemExit(done.stderr[-3000:])
        annotated = subprocess.run(
            ["callgrind_annotate", "--inclusive=yes", "--threshold=100", out], capture_output=True, text=True
        ).stdout
        signatures = re.search(r"^\s*([\d,]+) .*:_operator_call ", annotated, re.MULTILINE)
        total, crypto = (int(v.replace(",", "")) for v in (collected[1], signatures[1] if signatures else "0"))
        print(
            f"{args.tree} ({args.login}): the broker's requests, per login: {total / args.logins / 1e6:.3f} M instructions; "
            f"signature calls {crypto / args.logins / 1e6:.3f} M; non-signature {(total - crypto) / args.logins / 1e6:.3f} M"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
