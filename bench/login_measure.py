"""bench/login.py's measuring parts: CPU of processes, core pinning, the signature floor, the split."""

import json
import os
import pstats
import time

from lxml import etree

from broker.saml import crypto, ns
from broker.saml.keys import load_signing_key, verification_key

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


def cores(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """(the broker's cores, the load generator's): the last core for the broker, the rest for the
    pysaml2 peers and the HTTP clients; (None, None) unpinned or on one core."""
    available = sorted(os.sched_getaffinity(0))
    if not pin or len(available) < 2:
        return None, None
    return {available[-1]}, set(available[:-1])


_RESPONSE = (
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


def crypto_floor(key_path: str, cert_path: str, peer_key: str, peer_cert: str, rounds: int = 300) -> dict:
    """python-xmlsec alone, ms CPU per call of each function the split counts: `sign` with the
    broker's key, `verify_enveloped` and `verify_query` of a peer's (RSA 3072) signature, `sign_query`."""
    broker_key = load_signing_key(key_path, cert_path)
    peer = load_signing_key(peer_key, peer_cert)
    signed = etree.fromstring(_RESPONSE)
    crypto.sign(signed.find(ns.q("saml", "Assertion")), peer)
    signed = etree.fromstring(etree.tostring(signed))  # as received: parsed from bytes
    peer_keys = [verification_key(peer.certificate_b64)]
    query = b"SAMLRequest=" + b"fZJBb9swDIX" * 60 + b"&RelayState=abc&SigAlg=" + peer.algorithm.encode()
    query_signature = crypto.sign_query(query, peer)

    def timeit(fn):
        start = time.process_time()
        for _ in range(rounds):
            fn()
        return (time.process_time() - start) / rounds * 1000

    def sign():
        crypto.sign(etree.fromstring(_RESPONSE), broker_key)

    return {
        "sign": timeit(sign),
        "verify_enveloped": timeit(lambda: crypto.verify_enveloped(signed.find(ns.q("saml", "Assertion")), peer_keys)),
        "sign_query": timeit(lambda: crypto.sign_query(query, broker_key)),
        "verify_query": timeit(lambda: crypto.verify_query(query, peer.algorithm, query_signature, peer_keys)),
    }


def read_split(path: str) -> dict:
    with open(path) as handle:
        return json.load(handle)


def print_picture(split: dict, logins: int, total_ms: float, floor: dict) -> dict:
    """The worker's CPU per login by layer, timed without a profiler (broker/ops/profiling.py),
    beside the floor: the same signature calls alone, outside the broker."""
    per = {k: split[k] / logins * 1000 for k in ("wsgi", "views", "crypto", "sql")}
    calls = {name: split["calls"][name] / logins for name in floor}
    floor_ms = sum(calls[name] * floor[name] for name in floor)
    non_signature = total_ms - per["crypto"]
    print(
        f"  broker CPU per login {total_ms:.2f} ms = {1000 / total_ms:.0f} logins per broker-CPU-second; "
        f"{split['requests'] / logins:.0f} requests per login"
    )
    print(
        f"  signature floor {floor_ms:.2f} ms: "
        + ", ".join(f"{calls[n]:.0f}x {n} {floor[n]:.2f} ms" for n in floor if calls[n])
    )
    print(f"  NON-SIGNATURE CPU {non_signature:.2f} ms (total minus the signature calls in the worker)")
    for ms, what in (
        (per["crypto"], "signature calls in the worker (the floor's calls, in place)"),
        (per["views"] - per["crypto"], "broker logic: SAML parsing and checks, XML building, store, state, page"),
        (per["wsgi"] - per["views"], "Flask around the views: request context, cookie session, hooks, response"),
        (total_ms - per["wsgi"], "gunicorn: accept, HTTP parsing, writing the response"),
    ):
        print(f"  {ms:6.2f} ms  {ms / total_ms * 100:5.1f}%  {what}")
    print(
        f"  of the broker logic, SQL: {split['statements'] / logins:.1f} statements, {per['sql']:.2f} ms "
        "(execute and fetch, both databases)"
    )
    return {"total": total_ms, "non_signature": non_signature, "floor": floor_ms}


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


def print_profile(path: str, logins: int) -> None:
    """Self CPU time per area of one worker's cProfile (process time) over `logins` logins."""
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
