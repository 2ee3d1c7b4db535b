"""A worker's peak memory while it refuses an oversized POST, measured in a process of its own.

One broker (create_app) in this process; after a warm-up request, a POST of --mib MiB of form data
to /saml/idp/sso is streamed into it (the body never exists in memory as a whole: it is generated
as the broker reads it), with a Content-Length or chunked. Prints, as JSON, the HTTP status and the
growth of the process's peak RSS (getrusage ru_maxrss) during that one request.

    .venv/bin/python bench/body_memory.py [--mib 12] [--chunked] [--config broker.json]

Without --config it sets up the demo's parties in a temporary folder (a few seconds: key generation).
"""

import argparse
import io
import json
import os
import resource
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from broker import create_app  # noqa: E402

CHUNK = 64 * 1024


class GeneratedBody(io.RawIOBase):
    """`SAMLRequest=AAAA…` of `size` bytes, produced while it is read."""

    def __init__(self, size: int):
        self.left = size
        self.head = b"SAMLRequest="

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.left <= 0:
            return 0
        n = min(len(buffer), self.left)
        data = (self.head + b"A" * n)[:n]
        self.head = self.head[len(data) :] if self.head else b""
        buffer[:n] = data
        self.left -= n
        return n


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def call(app, size: int, chunked: bool) -> int:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/saml/idp/sso",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8080",
        "HTTP_HOST": "localhost:8080",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BufferedReader(GeneratedBody(size), CHUNK),
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    if chunked:
        environ["wsgi.input_terminated"] = True  # as gunicorn says for a chunked body
    else:
        environ["CONTENT_LENGTH"] = str(size)
    status = []
    for _ in app(environ, lambda s, headers, exc_info=None: status.append(s)):
        pass
    return int(status[0].split()[0])


def demo_config() -> dict:
    from demo.environment import copy_policies, prepare

    root = tempfile.mkdtemp(prefix="body-memory-")
    env = prepare(os.path.join(root, "demo"), policy_dir=copy_policies(os.path.join(root, "policies")))
    return dict(env.broker, SESSION_COOKIE_SECURE=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=12)
    parser.add_argument("--chunked", action="store_true")
    parser.add_argument("--config", help="a JSON file with create_app's dict")
    args = parser.parse_args()
    if args.config:
        with open(args.config, encoding="utf-8") as handle:
            config = json.load(handle)
    else:
        config = demo_config()
    app = create_app(config)
    call(app, 1000, args.chunked)  # warm-up: imports, templates, first connections
    before = peak_kib()
    status = call(app, int(args.mib * 1024 * 1024), args.chunked)
    after = peak_kib()
    print(json.dumps({"status": status, "body_mib": args.mib, "peak_growth_mib": round((after - before) / 1024, 1)}))


if __name__ == "__main__":
    main()
