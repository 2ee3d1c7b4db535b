"""Full brokered logins over HTTP against `broker serve` on loopback, with real signatures at every
step: application SP → broker → upstream IdP → broker → application SP (which validates).

One command, the whole picture: the broker's worker(s) pinned to one core and the load generator
(the pysaml2 SP and IdP, the HTTP clients: this process) to the other(s), so that the peers' ~29 ms
of CPU per login do not compete with the broker's. For each worker count and login (single option,
chooser) a fresh `broker serve` runs the cells (concurrency levels) and prints logins/s, latency
p50/p95/p99, failures and the broker's CPU per login (the worker processes' own CPU time from
/proc/<pid>/task/*/schedstat: a median at concurrency 1, a mean otherwise), then beside it: logins
per broker-CPU-second, the signature floor (the same signature calls alone, outside the broker),
the non-signature CPU, and the split signatures / broker logic / Flask / gunicorn with the SQL
statements per login (broker/ops/profiling.py, no profiler). CPU time per login is the figure that
holds on a shared machine; --against runs another source tree's broker in interleaved rounds, each
tree on a demo store and a state of its own that its own code made (the trees' schema steps may differ).

    .venv/bin/python bench/login.py [--logins 200] [--workers 1] [--concurrency 1] [--login single chooser]
                                    [--key rsa2048|rsa3072|rsa4096|ec256] [--no-pin]
                                    [--against /path/to/other/tree --rounds 3]
    .venv/bin/python bench/login.py --profile    # where one worker's CPU time goes, function by function
"""

import argparse
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from urllib.parse import urljoin

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lxml.html  # noqa: E402
import requests  # noqa: E402
from login_measure import children, cores, cpu_seconds, crypto_floor, print_picture, print_profile, read_split  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from broker.ops.profiling import SNAPSHOT_PATH as SNAPSHOT  # noqa: E402
from demo.application import create_application_app  # noqa: E402
from demo.environment import copy_policies, free_port, prepare, write_broker_config  # noqa: E402
from demo.upstream import create_upstream_app  # noqa: E402
from mandates_store import demo_data  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYS = {"rsa2048": ("rsa", 2048), "rsa3072": ("rsa", 3072), "rsa4096": ("rsa", 4096), "ec256": ("ec", 3072)}
LOGINS = (
    ("single", "single option", demo_data.PERSON_OWN_NAME_ONLY, False),
    ("chooser", "chooser", demo_data.PERSON_EXECUTOR, True),
)


def one_login(app_url: str, person: str, chooser: bool, route=None) -> None:
    """`route`: the URL each request really goes to (bench/nodes.py spreads the broker's over nodes)."""
    session = requests.Session()
    route = route or (lambda url: url)

    def go(response):
        for _ in range(15):
            if response.status_code in (302, 303):
                location = route(urljoin(response.url, response.headers["Location"]))
                response = session.get(location, allow_redirects=False)
                continue
            doc = lxml.html.fromstring(response.text or "<html/>")
            forms = doc.forms
            if len(forms) == 1 and {i.name for i in forms[0].inputs if i.name} & {"SAMLRequest", "SAMLResponse"}:
                response = session.post(
                    route(urljoin(response.url, forms[0].action)),
                    data=dict(forms[0].form_values()),
                    allow_redirects=False,
                )
                continue
            return response, doc
        raise RuntimeError("too many hops")

    page, _ = go(session.get(app_url + "/login", allow_redirects=False))
    page, doc = go(
        session.post(route(urljoin(page.url, "login")), data={"person": person, "means": "eid"}, allow_redirects=False)
    )
    if chooser:
        form = doc.forms[-1]
        token = form.xpath(".//button[@name='option']")[0].get("value")
        page, doc = go(
            session.post(
                route(urljoin(page.url, form.action or page.url)),  # the chooser may come in the ACS's answer
                data=dict(form.form_values(), option=token),
                allow_redirects=False,
            )
        )
    if page.url != app_url + "/" or "ActingSubjectID" not in page.text:
        raise RuntimeError(f"login failed at {page.url}")


def run(app_url, person, chooser, logins, concurrency, worker_pids, route_for=None):
    """At concurrency 1 every login's own broker CPU is read too, for a median; else only the mean.
    `route_for(n)`: login n's `route` (see one_login)."""
    latencies, failures, cpu_each = [], [0], []
    lock = threading.Lock()
    counter = iter(range(logins))

    def worker():
        while True:
            with lock:
                number = next(counter, None)
                if number is None:
                    return
            start = time.perf_counter()
            cpu_start = cpu_seconds(worker_pids()) if concurrency == 1 else 0.0
            try:
                one_login(app_url, person, chooser, route_for(number) if route_for else None)
                with lock:
                    latencies.append(time.perf_counter() - start)
                    if concurrency == 1:
                        cpu_each.append(cpu_seconds(worker_pids()) - cpu_start)
            except Exception:
                with lock:
                    failures[0] += 1

    cpu_before = cpu_seconds(worker_pids())
    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(worker_pids()) - cpu_before
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "rate": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "failures": failures[0],
        "cpu_ms": cpu / max(len(latencies), 1) * 1000,
        "cpu_median_ms": statistics.median(cpu_each) * 1000 if cpu_each else None,
    }


def tree_store(tree: str, folder: str, broker: dict) -> dict:
    """`broker`'s settings with a store and a state in `folder` (made if missing) that `tree`'s own code
    made: its `broker store init` and `demo` make the store, its broker migrates the state. A tree at an older
    schema step refuses a store or state a newer one made ("... is newer than this code")."""
    os.makedirs(folder, exist_ok=True)
    store = os.path.join(folder, "store.db")
    for command in ("init", "demo") if not os.path.exists(store) else ():
        made = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "broker"), "store", "--db", store, command],
            env=dict(os.environ, PYTHONPATH=tree),
            capture_output=True,
            text=True,
        )
        if made.returncode:
            raise SystemExit(f"{tree}: `broker store {command}` failed:\n{made.stderr[-3000:]}")
    return dict(broker, STORE_DB=store, STATE_DB=os.path.join(folder, "state.db"))


def start_broker(workdir, env, port, workers, tree, mode, broker_cores):
    """`broker serve` from `tree` (its sources first on the path), the split or cProfile on (mode
    None: neither, and no profile folder)."""
    config = os.path.join(workdir, f"broker-{workers}.toml")
    secrets = write_broker_config(env, config, bind=f"127.0.0.1:{port}", workers=workers)
    log_path = os.path.join(workdir, f"broker-{workers}.log")
    environment = dict(os.environ, **secrets)
    profile_dir = None
    if mode:
        profile_dir = tempfile.mkdtemp(prefix=f"profile-{mode}-", dir=workdir)
        environment.update(BROKER_PROFILE_DIR=profile_dir, BROKER_PROFILE_MODE=mode)
    environment["PYTHONPATH"] = tree
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "broker"), "serve", "--config", config],
        env=environment,
        stderr=open(log_path, "w"),
        start_new_session=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, broker_cores)) if broker_cores else None,
    )
    for _ in range(150):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok and len(children(process.pid)) == workers:
                return process, profile_dir
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("the broker did not start:\n" + open(log_path).read()[-3000:])


def stop_broker(process) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)


def measure(args, workdir, env, port, app_url, floor, tree, broker_cores) -> dict:
    """One fresh broker per (workers, login): its cells, then its picture. {(workers, login): figures}"""
    figures = {}
    mode = "cprofile" if args.profile else "split"
    for workers in args.workers:
        for name, label, person, chooser in LOGINS:
            if name not in args.login:
                continue
            process, profile_dir = start_broker(workdir, env, port, workers, tree, mode, broker_cores)
            pids = lambda pid=process.pid: children(pid)  # noqa: E731
            try:
                cpu_start = cpu_seconds(pids())
                try:
                    one_login(app_url, person, chooser)  # warm-up: every worker's caches
                except RuntimeError as error:
                    raise SystemExit(
                        f"{label} with key {args.key}: {error}: the demo's pysaml2 peers did not complete "
                        "the login (the issue's note: pysaml2 7.5 verifies no ECDSA on the Redirect binding)"
                    ) from None
                warm = {}  # one worker: its figures after the warm-up, which is left out
                if not args.profile and workers == 1:
                    warm = requests.get(f"http://127.0.0.1:{port}{SNAPSHOT}").json()
                    cpu_start = cpu_seconds(pids())
                done, medians = 0 if warm else 1, []
                for concurrency in args.concurrency:
                    r = run(app_url, person, chooser, args.logins, concurrency, pids)
                    done += args.logins - r["failures"]
                    median = r["cpu_median_ms"]
                    if median is not None:
                        medians.append(median)
                    print(
                        f"workers={workers} concurrency={concurrency} {label:13}: {r['rate']:6.1f} logins/s  "
                        f"p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
                        f"failures {r['failures']}  broker CPU/login: "
                        + (f"median {median:5.2f} ms, " if median is not None else "")
                        + f"mean {r['cpu_ms']:5.2f} ms = {1000 / r['cpu_ms']:.0f} logins per broker-CPU-second",
                        flush=True,
                    )
                total_ms = (cpu_seconds(pids()) - cpu_start) / max(done, 1) * 1000
            finally:
                stop_broker(process)
            files = [os.path.join(profile_dir, f) for f in os.listdir(profile_dir)]
            if args.profile:
                print_profile(files[0], done)
                continue
            split = {}  # summed over the workers (with one worker, less the warm-up's figures)
            for part, sign in [(read_split(path), 1) for path in files] + [(warm, -1)]:
                for key, value in part.items():
                    if isinstance(value, dict):
                        split.setdefault(key, {})
                        for k, v in value.items():
                            split[key][k] = split[key].get(k, 0) + sign * v
                    elif key != "total":
                        split[key] = split.get(key, 0) + sign * value
            print(
                f"workers={workers} {label}, over its {done} logins (mean" + (", warm-up left out):" if warm else "):")
            )
            figures[(workers, name)] = dict(print_picture(split, done, total_ms, floor), median=min(medians or [0]))
        if {"single", "chooser"} <= set(args.login):
            single, chosen = figures[(workers, "single")], figures[(workers, "chooser")]
            print(
                f"workers={workers}: a login through the chooser costs the broker "
                f"{chosen['total'] - single['total']:+.2f} ms CPU more than a single-option login "
                f"(non-signature {chosen['non_signature'] - single['non_signature']:+.2f} ms)"
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="broker worker counts to run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1])
    parser.add_argument("--login", choices=("single", "chooser"), nargs="+", default=["single", "chooser"])
    parser.add_argument("--key", choices=sorted(KEYS), default="rsa3072", help="the broker's signing key")
    parser.add_argument("--no-pin", action="store_true", help="let the kernel place broker and peers")
    parser.add_argument("--against", help="another source tree (e.g. a `git worktree` of main): its broker too")
    parser.add_argument("--rounds", type=int, default=1, help="with --against: interleaved rounds, this tree first")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of the split: cProfile in the worker, single-option logins on one worker at concurrency 1",
    )
    args = parser.parse_args()
    if args.profile:
        args.workers, args.concurrency, args.login = [1], [1], ["single"]
    broker_cores, peer_cores = cores(not args.no_pin)
    if peer_cores:  # this thread first: the peers' and clients' threads inherit it
        os.sched_setaffinity(0, peer_cores)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the demo peers' request lines
    workdir = tempfile.mkdtemp(prefix="bench-login-")
    try:
        broker_port, up_port, app_port = free_port(), free_port(), free_port()
        app_url = f"http://localhost:{app_port}"
        policies = copy_policies(os.path.join(workdir, "policies"), app_url)
        kind, bits = KEYS[args.key]
        env = prepare(
            os.path.join(workdir, "demo"),
            broker_url=f"http://localhost:{broker_port}",
            upstream_url=f"http://localhost:{up_port}",
            application_url=app_url,
            policy_dir=policies,
            signing_key_bits=bits,
            signing_key_kind=kind,
        )
        env.broker["SESSION_COOKIE_SECURE"] = False
        servers = [
            make_server("127.0.0.1", up_port, create_upstream_app(**env.upstream), threaded=True),
            make_server("127.0.0.1", app_port, create_application_app(**env.application), threaded=True),
        ]
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        floor = crypto_floor(
            env.broker["SIGNING_KEY"], env.broker["SIGNING_CERT"], env.upstream["key"], env.upstream["cert"]
        )
        print(
            f"broker signing key: {args.key}; peers' keys: RSA 3072; logins per cell: {args.logins}; "
            + (f"broker on core {sorted(broker_cores)}, peers on {sorted(peer_cores)}" if broker_cores else "unpinned")
        )
        print("signature calls alone, ms CPU each: " + ", ".join(f"{k} {v:.3f}" for k, v in floor.items()))
        trees = [("this tree", HERE)] + ([("against", os.path.abspath(args.against))] if args.against else [])
        results = {name: [] for name, _ in trees}
        envs = {
            name: replace(env, broker=tree_store(tree, os.path.join(workdir, f"tree-{number}"), env.broker))
            for number, (name, tree) in enumerate(trees)
        }
        for round_number in range(args.rounds):
            for name, tree in trees:
                print(f"--- round {round_number + 1}, {name}: {tree}", flush=True)
                results[name].append(
                    measure(args, workdir, envs[name], broker_port, app_url, floor, tree, broker_cores)
                )
        if args.against and not args.profile:
            print("summary, per round (broker CPU per login mean / non-signature, ms):")
            for name, rounds in results.items():
                for cell in rounds[0]:
                    figures = " | ".join(f"{r[cell]['total']:.2f} / {r[cell]['non_signature']:.2f}" for r in rounds)
                    print(f"  {name:9} workers={cell[0]} {cell[1]:7}: {figures}")
        for server in servers:
            server.shutdown()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
