"""Full brokered logins over HTTP against `broker serve` on loopback, with real signatures at every
step: application SP → broker → upstream IdP → broker → application SP (which validates).

Prints, for 1 and 2 broker workers at concurrency 1 and 8, and for a single-option login and a
login through the chooser: logins/s, latency p50/p95/p99, failures, and the broker's own CPU time
per login (CPU of the gunicorn worker processes from /proc/<pid>/task/*/schedstat: at concurrency 1
read around each login for a median, else divided by completed logins for a mean), then the crypto floor on this machine (python-xmlsec verifying one upstream assertion and
signing one assertion and one response with the broker's key) and the ratio of the two.

    .venv/bin/python bench/login.py [--logins 200] [--workers 1 2] [--concurrency 1 8] [--login single chooser]
                                    [--key-bits 2048|3072|4096]
    .venv/bin/python bench/login.py --profile    # where one worker's CPU time goes, by layer and function
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
from urllib.parse import urljoin

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import lxml.html  # noqa: E402
import requests  # noqa: E402
from lxml import etree  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from broker.saml import crypto, ns  # noqa: E402
from broker.saml.keys import load_signing_key, verification_key  # noqa: E402
from demo.application import create_application_app  # noqa: E402
from demo.environment import copy_policies, free_port, prepare, write_broker_config  # noqa: E402
from demo.upstream import create_upstream_app  # noqa: E402
from mandates_store import demo_data  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        return []


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of the processes: nanoseconds from schedstat where the kernel has it, else ticks."""
    total = 0.0
    for pid in pids:
        try:
            threads = os.listdir(f"/proc/{pid}/task")
            total += sum(int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0]) for t in threads) / 1e9
        except FileNotFoundError:
            pass
        except (OSError, ValueError):
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return total


def one_login(app_url: str, person: str, chooser: bool) -> None:
    session = requests.Session()

    def go(response):
        for _ in range(15):
            if response.status_code in (302, 303):
                response = session.get(urljoin(response.url, response.headers["Location"]), allow_redirects=False)
                continue
            doc = lxml.html.fromstring(response.text or "<html/>")
            forms = doc.forms
            if len(forms) == 1 and {i.name for i in forms[0].inputs if i.name} & {"SAMLRequest", "SAMLResponse"}:
                response = session.post(
                    urljoin(response.url, forms[0].action), data=dict(forms[0].form_values()), allow_redirects=False
                )
                continue
            return response, doc
        raise RuntimeError("too many hops")

    page, _ = go(session.get(app_url + "/login", allow_redirects=False))
    page, doc = go(
        session.post(urljoin(page.url, "login"), data={"person": person, "means": "eid"}, allow_redirects=False)
    )
    if chooser:
        form = doc.forms[-1]
        token = form.xpath(".//button[@name='option']")[0].get("value")
        page, doc = go(session.post(page.url, data=dict(form.form_values(), option=token), allow_redirects=False))
    if page.url != app_url + "/" or "ActingSubjectID" not in page.text:
        raise RuntimeError(f"login failed at {page.url}")


def run(app_url, person, chooser, logins, concurrency, worker_pids):
    """At concurrency 1 every login's own broker CPU is read too, for a median; else only the mean."""
    latencies, failures, cpu_each = [], [0], []
    lock = threading.Lock()
    counter = iter(range(logins))

    def worker():
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            start = time.perf_counter()
            cpu_start = cpu_seconds(worker_pids()) if concurrency == 1 else 0.0
            try:
                one_login(app_url, person, chooser)
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


def crypto_floor(key_path: str, cert_path: str, upstream_key: str, upstream_cert: str, rounds: int = 300) -> dict:
    """python-xmlsec alone: verify one upstream assertion, sign one assertion and one response."""
    broker_key = load_signing_key(key_path, cert_path)
    up_key = load_signing_key(upstream_key, upstream_cert)
    template = (
        b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        b'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0">'
        b'<saml:Issuer>x</saml:Issuer><saml:Assertion ID="_a" Version="2.0"><saml:Issuer>x</saml:Issuer>'
        + b"<saml:AttributeStatement>"
        + b"".join(
            b'<saml:Attribute Name="urn:mandaatbroker:1.0:A%d"><saml:AttributeValue>v</saml:AttributeValue>'
            b"</saml:Attribute>" % i
            for i in range(14)
        )
        + b"</saml:AttributeStatement></saml:Assertion></samlp:Response>"
    )
    signed = etree.fromstring(template)
    crypto.sign(signed.find(ns.q("saml", "Assertion")), up_key)
    signed = etree.fromstring(etree.tostring(signed))  # as received: parsed from bytes
    upstream_keys = [verification_key(up_key.certificate_b64)]

    def timeit(fn):
        start = time.process_time()
        for _ in range(rounds):
            fn()
        return (time.process_time() - start) / rounds * 1000

    def sign_both():
        root = etree.fromstring(template)
        crypto.sign(root.find(ns.q("saml", "Assertion")), broker_key)
        crypto.sign(root, broker_key)

    verify = timeit(lambda: crypto.verify_enveloped(signed.find(ns.q("saml", "Assertion")), upstream_keys))
    sign = timeit(sign_both)
    return {"verify_ms": verify, "sign_ms": sign, "floor_ms": verify + sign}


AREAS = (  # (area, what a profile entry's file or C name contains), first match wins
    ("xmlsec: RSA and digests (C)", ("xmlsec.",)),
    ("broker/saml: SAML checks, XML building", ("/broker/saml/",)),
    ("lxml (C)", ("lxml.",)),
    ("sqlite3 (C)", ("sqlite3.",)),
    ("mandates_store: login options", ("/mandates_store/",)),
    ("broker: flow, views, state, audit", ("/broker/",)),
    ("gunicorn: HTTP parsing, sockets", ("/gunicorn/", "socket", "select")),
    (
        "Flask, Werkzeug, Jinja, cookies",
        (
            "/flask/",
            "/werkzeug/",
            "/itsdangerous/",
            "/jinja2/",
            "/markupsafe/",
            "/flask_login/",
            "/flask_wtf/",
            "/wtforms/",
            "/click/",
            "hmac",
        ),
    ),
    ("logging and metrics", ("/logging/", "/prometheus_client/")),
)


def print_split(path: str, logins: int, total_ms: float) -> None:
    """The worker's CPU per login by layer, timed without a profiler (broker/ops/profiling.py)."""
    import json

    with open(path) as handle:
        split = json.load(handle)
    wsgi, views, crypto_ms = (split[k] / logins * 1000 for k in ("wsgi", "views", "crypto"))
    print(f"where the worker's CPU goes, per login ({split['requests'] / logins:.0f} requests), no profiler:")
    for ms, what in (
        (
            crypto_ms,
            "XML signatures: 3 signed (assertion, response, upstream request), "
            "3 verified (the request's, the upstream response's and assertion's)",
        ),
        (views - crypto_ms, "broker logic: SAML parsing and checks, XML building, store, state, audit, page"),
        (wsgi - views, "Flask around the views: request context, cookie session, hooks, response"),
        (total_ms - wsgi, "gunicorn: accept, HTTP parsing, writing the response, close"),
    ):
        print(f"  {ms:6.2f} ms  {ms / total_ms * 100:5.1f}%  {what}")


def print_profile(path: str, logins: int) -> None:
    """Self CPU time per area of one worker's cProfile (process time) over `logins` logins."""
    import pstats

    stats = pstats.Stats(path).stats
    areas, total = {}, 0.0
    for (filename, _line, name), (_cc, _nc, self_time, _cum, _callers) in stats.items():
        where = filename if filename != "~" else name
        area = next((label for label, marks in AREAS if any(m in where for m in marks)), "Python itself, stdlib")
        areas[area] = areas.get(area, 0.0) + self_time
        total += self_time
    print(
        f"profile of the worker (cProfile on process time; it slows Python code about twice, not C): "
        f"{total / logins * 1000:.2f} ms CPU per login"
    )
    for area, seconds in sorted(areas.items(), key=lambda item: -item[1]):
        print(f"  {seconds / logins * 1000:6.2f} ms  {seconds / total * 100:5.1f}%  {area}")
    print("  the 15 most expensive functions, self time per login:")
    top = sorted(stats.items(), key=lambda item: -item[1][2])[:15]
    for (filename, line, name), (_cc, calls, self_time, _cum, _callers) in top:
        short = filename.split("site-packages/")[-1].split("/work/main/")[-1] if filename != "~" else ""
        print(f"  {self_time / logins * 1000:6.3f} ms  {calls / logins:5.1f} calls  {short}:{line} {name}"[:150])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="broker worker counts to run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--login", choices=("single", "chooser"), nargs="+", default=["single", "chooser"])
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: single-option logins on one worker at concurrency 1, and where its CPU "
        "time goes (by layer without a profiler, then by function under cProfile)",
    )
    parser.add_argument(
        "--key-bits",
        type=int,
        choices=(2048, 3072, 4096),
        default=3072,
        help="size of the broker's RSA signing key (the demo's default is 3072)",
    )
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the demo peers' request lines
    workdir = tempfile.mkdtemp(prefix="bench-login-")
    processes = []
    try:
        broker_port, up_port, app_port = free_port(), free_port(), free_port()
        app_url = f"http://localhost:{app_port}"
        policies = copy_policies(os.path.join(workdir, "policies"), app_url)
        env = prepare(
            os.path.join(workdir, "demo"),
            broker_url=f"http://localhost:{broker_port}",
            upstream_url=f"http://localhost:{up_port}",
            application_url=app_url,
            policy_dir=policies,
            signing_key_bits=args.key_bits,
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
        print(f"broker signing key: RSA {args.key_bits}; upstream key: RSA 3072; logins per cell: {args.logins}")
        print(
            f"crypto floor: verify upstream assertion {floor['verify_ms']:.2f} ms + sign assertion and response "
            f"{floor['sign_ms']:.2f} ms = {floor['floor_ms']:.2f} ms CPU"
        )
        broker_bin = os.path.join(os.path.dirname(sys.executable), "broker")
        if args.profile:  # first without a profiler, for the split; then cProfile for the detail
            runs, args.concurrency, args.login = [(1, "split"), (1, "cprofile")], [1], ["single"]
        else:
            runs = [(workers, None) for workers in args.workers]
        for workers, mode in runs:
            profile_dir = os.path.join(workdir, f"profile-{mode}")
            config = os.path.join(workdir, f"broker-{workers}.toml")
            secrets = write_broker_config(env, config, bind=f"127.0.0.1:{broker_port}", workers=workers)
            log_path = os.path.join(workdir, f"broker-{workers}.log")
            environment = dict(os.environ, **secrets)
            if mode:
                os.makedirs(profile_dir)
                environment.update(BROKER_PROFILE_DIR=profile_dir, BROKER_PROFILE_MODE=mode)
            process = subprocess.Popen(
                [broker_bin, "serve", "--config", config],
                env=environment,
                stderr=open(log_path, "w"),
                start_new_session=True,
            )
            processes.append(process)
            for _ in range(150):
                try:
                    if (
                        requests.get(f"http://127.0.0.1:{broker_port}/healthz", timeout=1).ok
                        and len(children(process.pid)) == workers
                    ):
                        break
                except requests.ConnectionError:
                    pass
                time.sleep(0.2)
            else:
                raise SystemExit("the broker did not start:\n" + open(log_path).read()[-3000:])
            for label, person, chooser in (
                ("single option", demo_data.PERSON_OWN_NAME_ONLY, False),
                ("chooser", demo_data.PERSON_EXECUTOR, True),
            ):
                if label.split()[0] not in args.login:
                    continue
                one_login(app_url, person, chooser)  # warm-up: every worker's caches
                for concurrency in args.concurrency:
                    r = run(app_url, person, chooser, args.logins, concurrency, lambda pid=process.pid: children(pid))
                    median = r["cpu_median_ms"]
                    per_login = (
                        f"median {median:5.2f} ms = {median / floor['floor_ms']:.1f}x the crypto floor, "
                        if median is not None
                        else ""
                    )
                    if mode:
                        print(f"[{mode}] ", end="")
                    print(
                        f"workers={workers} concurrency={concurrency} {label:13}: {r['rate']:6.1f} logins/s  "
                        f"p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
                        f"failures {r['failures']}  broker CPU/login: {per_login}"
                        f"mean {r['cpu_ms']:5.2f} ms = {r['cpu_ms'] / floor['floor_ms']:.1f}x",
                        flush=True,
                    )
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)
            if mode:  # the worker wrote its figures on its way out; +1 for the warm-up login
                path = os.path.join(profile_dir, os.listdir(profile_dir)[0])
                if mode == "split":
                    print_split(path, args.logins + 1, r["cpu_ms"])
                else:
                    print_profile(path, args.logins + 1)
        for server in servers:
            server.shutdown()
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
