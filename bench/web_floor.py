"""The floor of the web stack alone: what a single-option login's two broker requests cost a worker
with no broker logic behind them, so that the 2.5 ms target of issue 19 can be set against it.

A stand-in application answers the same two requests with the same sizes as the broker (measured
on a demo login): the GET of /saml/idp/sso with a deflated, base64 SAMLRequest, RelayState, SigAlg
and an RSA-3072 Signature in its query (1,033 bytes), answered by a 303 (Location 1,128 bytes, body
2,459, a 178-byte session cookie, the broker's security headers); the POST of /saml/sp/acs with a
10,385-byte SAMLResponse form and a 146-byte cookie, answered by a 13,568-byte HTML page and a
339-byte cookie. Three applications: a plain WSGI callable (reads the body, writes prebuilt
answers); a minimal Flask app (routing, query and form parsed, the signed cookie session loaded
and saved, a Response built; no template, no SAML); the same Flask app bare (routing and the
Response only). Each runs under gunicorn with the options `broker serve` gives it (broker/ops/serve.py's gunicorn_options of default settings, one worker:
sync worker, gunicorn_h1c's parser, heartbeat file on /dev/shm, no access log, the JSON logging and
the workers' garbage-collector settings), and, to show what leaving gunicorn would give, under
granian (Rust, WSGI interface, one worker, one blocking thread) and waitress (one thread).

The server is pinned to one core and this process (the client) to the other, as bench/login.py
pins them; every request opens a new TCP connection, as the load generator's requests.Session
does against gunicorn's sync worker, which closes each one (`--keep-alive`: both requests of a
pair on one connection where the server keeps it, as a browser would). Figure: the server
processes' CPU per request pair (schedstat of every thread of the worker, or of the server process
where it has no workers), p50 and mean over all pairs, per round; the rounds interleave the
servers (A B C, C B A, ...).

    .venv/bin/python bench/web_floor.py [--rounds 4] [--pairs 300] [--servers gunicorn granian waitress]
                                        [--apps plain flask-bare flask] [--keep-alive] [--no-pin]
"""

import argparse
import base64
import dataclasses
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

TARGET_MS = 2.5  # issue 19: non-signature CPU of a single-option login, both requests
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action *; frame-ancestors 'none'; base-uri 'none'",
    ),  # noqa: E501
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
    ("X-Request-ID", "0123456789abcdef"),
    ("Vary", "Cookie"),
]


def _b64(size: int, seed: bytes) -> str:
    """`size` characters of base64 (of incompressible bytes, as ciphertext or a signature are)."""
    raw = b"".join(zlib.crc32(seed + i.to_bytes(4, "big")).to_bytes(4, "big") for i in range(size // 4 + 3))
    return base64.b64encode(raw).decode()[:size]


def _authn_request() -> str:
    xml = (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="id-%s" Version="2.0" '
        'IssueInstant="2026-12-02T02:50:00Z" Destination="http://localhost:8080/saml/idp/sso" '
        'AssertionConsumerServiceURL="http://localhost:8000/acs/post" '
        'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">'
        "<saml:Issuer>http://localhost:8000/metadata</saml:Issuer>"
        '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient" '
        'AllowCreate="true"/></samlp:AuthnRequest>'
    ) % _b64(32, b"id")
    return base64.b64encode(zlib.compress(xml.encode(), 9)[2:-4]).decode()  # raw DEFLATE, as the binding wants


QUERY = urllib.parse.urlencode(
    {
        "SAMLRequest": _authn_request(),
        "RelayState": _b64(43, b"relay"),
        "SigAlg": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "Signature": _b64(512, b"signature"),  # RSA-3072: 384 bytes
    }
)
QUERY = QUERY + "&Pad=" + "x" * max(0, 1033 - len(QUERY) - 5)  # the broker's request: 1,033 bytes
LOCATION = "http://localhost:8090/sso?" + urllib.parse.urlencode(
    {"SAMLRequest": _b64(420, b"up"), "RelayState": _b64(43, b"r2"), "SigAlg": "x" * 51, "Signature": _b64(512, b"s2")}
)
LOCATION = LOCATION + "&Pad=" + "x" * max(0, 1128 - len(LOCATION) - 5)
FORM = urllib.parse.urlencode({"SAMLResponse": _b64(10_300, b"response"), "RelayState": _b64(43, b"relay")})
FORM = FORM + "&Pad=" + "x" * max(0, 10_385 - len(FORM) - 5)
PAGE_VALUE = _b64(13_000, b"answer")
PAGE = (
    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Doorsturen</title></head>'
    '<body><form method="post" action="http://localhost:8000/acs/post">'
    f'<input type="hidden" name="SAMLResponse" value="{PAGE_VALUE}">'
    '<input type="hidden" name="RelayState" value="abc"><noscript><button>Verder</button></noscript>'
    '</form><script src="/static/autopost.js"></script></body></html>'
)
PAGE = PAGE.replace("</body>", "<!--" + "x" * max(0, 13_568 - len(PAGE) - 7) + "--></body>")
REDIRECT_BODY = "x" * 2459  # Werkzeug's redirect page with the escaped Location in it
GET_COOKIE_VALUE = _b64(160, b"cookie-get")
POST_COOKIE_VALUE = _b64(320, b"cookie-post")
REQUEST_COOKIE = "session=" + _b64(138, b"cookie-in")


def plain_app(environ, start_response):
    """WSGI with nothing behind it: the body read, the broker's answers written from prebuilt bytes."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    if environ["REQUEST_METHOD"] == "GET":
        body, status, cookie = REDIRECT_BODY.encode(), "303 SEE OTHER", GET_COOKIE_VALUE
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Location", LOCATION)]
    else:
        body, status, cookie = PAGE.encode(), "200 OK", POST_COOKIE_VALUE
        headers = [("Content-Type", "text/html; charset=utf-8")]
    headers += [("Content-Length", str(len(body))), *SECURITY_HEADERS]
    headers.append(("Set-Cookie", f"session={cookie}; HttpOnly; Path=/; SameSite=Lax"))
    start_response(status, headers)
    return [body]


def flask_app(bare: bool = False):
    """The least a Flask app does for the two requests: route, parse, the cookie session, a Response.
    `bare`: route and Response only (neither query nor form parsed, no session), to split the two."""
    from flask import Flask, Response, redirect, request, session

    app = Flask("web_floor")
    app.secret_key = "web-floor-bench-" + "k" * 32

    @app.get("/saml/idp/sso")
    def single_sign_on():
        if bare:
            return redirect(LOCATION, 303)
        session["login_id"] = request.args["SAMLRequest"][:16] + request.args["RelayState"][:16]
        session["flow"] = request.args["Signature"][:48]
        return redirect(LOCATION, 303)

    @app.post("/saml/sp/acs")
    def assertion_consumer():
        if bare:
            return Response(PAGE, mimetype="text/html")
        session["answer"] = request.form["SAMLResponse"][:120] + request.form["RelayState"]
        return Response(PAGE, mimetype="text/html")

    @app.after_request
    def headers(response):
        response.headers.extend(SECURITY_HEADERS)
        return response

    return app


def _settled(app):
    from broker.ops import gc_tuning

    gc_tuning.settle()
    return app


def settled_app(name: str):
    """The app for granian and waitress with the workers' garbage-collector settings."""
    return _settled(_app(name))


def _app(name: str):
    return {"plain": lambda: plain_app, "flask-bare": lambda: flask_app(bare=True), "flask": flask_app}[name]()


def serve_gunicorn(name: str, port: int) -> None:
    """The child: `broker serve`'s gunicorn options for default settings, one worker, this app."""
    from broker.ops import gc_tuning, logs
    from broker.ops.serve import gunicorn_options
    from broker.settings import Settings
    from webserve.server import Server, metrics_folder

    metrics_folder("web-floor-metrics-")
    settings = Settings()
    settings = dataclasses.replace(settings, serve=dataclasses.replace(settings.serve, workers=1))
    options = dict(gunicorn_options(settings), bind=f"127.0.0.1:{port}")
    options["post_worker_init"] = lambda worker: gc_tuning.settle()  # broker serve's, less the purging

    def load():
        logs.configure()
        return _app(name)

    Server(load, options).run()


def serve_waitress(name: str, port: int) -> None:
    import waitress

    waitress.serve(settled_app(name), host="127.0.0.1", port=port, threads=1, _quiet=True)


def start(server: str, name: str, port: int, server_cores):
    if server == "granian":
        command = [os.path.join(os.path.dirname(sys.executable), "granian"), "--interface", "wsgi", "--http", "1"]
        command += ["--no-ws", "--workers", "1", "--blocking-threads", "1", "--runtime-threads", "1"]
        command += ["--log-level", "warning", "--host", "127.0.0.1", "--port", str(port), "--factory"]
        command += [
            "--working-dir",
            os.path.dirname(os.path.abspath(__file__)),
            f"web_floor:{name.replace('-', '_')}_{server}",
        ]
    else:
        command = [sys.executable, os.path.abspath(__file__), "--child", server, name, str(port)]
    process = subprocess.Popen(
        command,
        env=dict(os.environ, PYTHONPATH=HERE),
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, server_cores)) if server_cores else None,
    )
    for _ in range(150):
        try:
            exchange(port, [("GET", None)], keep_alive=False)
            return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit(f"{server} with the {name} app did not start")


def plain_granian():
    return settled_app("plain")


def flask_granian():
    return settled_app("flask")


def flask_bare_granian():
    return settled_app("flask-bare")


def _request(method: str, port: int) -> bytes:
    """As python-requests sends them."""
    head = f"Host: localhost:{port}\r\nUser-Agent: python-requests/2.32.3\r\nAccept-Encoding: gzip, deflate\r\n"
    head += "Accept: */*\r\nConnection: keep-alive\r\n"
    if method == "GET":
        return f"GET /saml/idp/sso?{QUERY} HTTP/1.1\r\n{head}\r\n".encode()
    head += f"Cookie: {REQUEST_COOKIE}\r\nContent-Length: {len(FORM)}\r\n"
    return f"POST /saml/sp/acs HTTP/1.1\r\n{head}Content-Type: application/x-www-form-urlencoded\r\n\r\n{FORM}".encode()


def _read_answer(connection: socket.socket, expected: str) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise OSError("closed before the answer's headers")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    if lines[0].split(" ")[1] != expected:
        raise RuntimeError(f"answer {lines[0]!r}, expected {expected}")
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise OSError("closed inside the answer's body")
        body += chunk


def exchange(port: int, requests: list, keep_alive: bool) -> None:
    """Each request on a new connection, or all on one with `keep_alive`."""
    connection = None
    for method, _ in requests:
        if connection is None:
            connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(_request(method, port))
        _read_answer(connection, "303" if method == "GET" else "200")
        if not keep_alive:
            connection.close()
            connection = None
    if connection is not None:
        connection.close()


def _server_pids(process) -> list[int]:
    from login_measure import children

    return children(process.pid) or [process.pid]


def measure_pairs(port: int, pids: list[int], pairs: int, keep_alive: bool) -> list[float]:
    """The server's CPU (ms) per pair of requests, one figure per pair."""
    from login_measure import cpu_seconds

    each = []
    for _ in range(pairs):
        before = cpu_seconds(pids)
        exchange(port, [("GET", None), ("POST", None)], keep_alive)
        each.append((cpu_seconds(pids) - before) * 1000)
    return each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=300, help="request pairs per server and round")
    parser.add_argument(
        "--servers", nargs="+", choices=("gunicorn", "granian", "waitress"), default=["gunicorn", "granian", "waitress"]
    )  # noqa: E501
    parser.add_argument(
        "--apps", nargs="+", choices=("plain", "flask-bare", "flask"), default=["plain", "flask-bare", "flask"]
    )
    parser.add_argument("--keep-alive", action="store_true", help="both requests of a pair on one connection")
    parser.add_argument("--no-pin", action="store_true", help="let the kernel place server and client")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        server, name, port = args.child
        return (serve_gunicorn if server == "gunicorn" else serve_waitress)(name, int(port))
    from login_measure import cores

    from demo.environment import free_port

    server_cores, client_cores = cores(not args.no_pin)
    if client_cores:
        os.sched_setaffinity(0, client_cores)
    cells = [(server, name) for server in args.servers for name in args.apps]
    running = {}
    try:
        for cell in cells:
            port = free_port()
            process = start(*cell, port, server_cores)
            running[cell] = (process, port, _server_pids(process))
            measure_pairs(port, running[cell][2], 30, args.keep_alive)  # warm-up
        print(
            f"load average {os.getloadavg()[0]:.1f}; "
            + (
                f"server on core {sorted(server_cores)}, client on {sorted(client_cores)}"
                if server_cores
                else "unpinned"
            )
            + f"; {args.pairs} pairs per cell and round; "
            + ("both requests on one connection" if args.keep_alive else "a new connection per request"),
            flush=True,
        )
        figures = {cell: [] for cell in cells}
        for number in range(args.rounds):
            order = cells if number % 2 == 0 else cells[::-1]
            for cell in order:
                _, port, pids = running[cell]
                each = measure_pairs(port, pids, args.pairs, args.keep_alive)
                figures[cell].append(each)
                print(
                    f"round {number + 1} {cell[0]:8} {cell[1]:10}: CPU per pair p50 {statistics.median(each):.3f} ms"
                    f", mean {statistics.fmean(each):.3f} ms (load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        print(f"load average at the end {os.getloadavg()[0]:.1f}; CPU per login's two requests, over all rounds:")
        for cell in cells:
            every = [v for each in figures[cell] for v in each]
            rounds = " ".join(f"{statistics.median(each):.3f}" for each in figures[cell])
            print(
                f"{cell[0]:8} + {cell[1]:10}: p50 {statistics.median(every):.3f} ms, mean {statistics.fmean(every):.3f} ms"
                f" (round p50s {rounds})"
            )
        for server in args.servers:
            if {(server, "plain"), (server, "flask")} <= set(cells):
                plain, flask = (
                    statistics.median(v for each in figures[(server, name)] for v in each)
                    for name in ("plain", "flask")
                )
                bare = (
                    statistics.median(v for each in figures[(server, "flask-bare")] for v in each)
                    if (server, "flask-bare") in cells
                    else None
                )
                print(
                    f"{server}: server floor {plain:.3f} ms, Flask {flask - plain:.3f} ms"
                    + (
                        f" (routing and Response {bare - plain:.3f}, parsing and session {flask - bare:.3f})"
                        if bare is not None
                        else ""
                    )
                    + f"; left for the broker's logic under the {TARGET_MS} ms target: {TARGET_MS - flask:.3f} ms"
                )
    finally:
        for process, _, _ in running.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process, _, _ in running.values():
            process.wait(20)


if __name__ == "__main__":
    main()
