"""`broker-demo`: the broker, the demo authenticator and the demo application on localhost."""

import argparse
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request

from werkzeug.serving import make_server

from demo.application import create_application_app
from demo.environment import (
    DEMO_APPLICATION_URL,
    REPO,
    SELFSERVICE_URL,
    copy_policies,
    prepare,
    write_broker_config,
    write_selfservice_config,
)
from demo.upstream import create_upstream_app

DEFAULT_PORT_BASE = 8000  # the application on the base, Mandatenbeheer +70, the broker +80, the authenticator +90
PR_SET_PDEATHSIG = 1


def ports(args) -> dict[str, int]:
    base = args.port_base
    chosen = {"application": base, "selfservice": base + 70, "broker": base + 80, "upstream": base + 90}
    for party in chosen:
        if getattr(args, f"{party}_port") is not None:
            chosen[party] = getattr(args, f"{party}_port")
    if len(set(chosen.values())) < len(chosen) or not all(0 < port < 65536 for port in chosen.values()):
        raise SystemExit(f"broker-demo: the four parties need four different ports from 1 to 65535, got {chosen}")
    return chosen


def _die_with_parent() -> None:
    """In the broker's process before exec: the kernel sends it SIGTERM when the demo dies, even by
    SIGKILL, so the broker's gunicorn master (which stops its workers on SIGTERM) never outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_until_up(url: str, broker: subprocess.Popen, stopping: threading.Event) -> bool:
    """True once `url` answers; False when the broker exited or the demo is stopping first."""
    while not stopping.is_set():
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            if broker.poll() is not None:
                return False
            stopping.wait(0.2)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", default="var/demo", help="where keys, metadata and the store go")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--workers", type=int, default=2, help="the broker's worker processes")
    parser.add_argument(
        "--port-base",
        type=int,
        default=DEFAULT_PORT_BASE,
        help="the demo application's port; the broker listens on it + 80, the authenticator on + 90 (default 8000)",
    )
    parser.add_argument("--application-port", type=int, help="the demo application's port (overrides --port-base)")
    parser.add_argument("--broker-port", type=int, help="the broker's port (overrides --port-base)")
    parser.add_argument("--upstream-port", type=int, help="the demo authenticator's port (overrides --port-base)")
    parser.add_argument("--selfservice-port", type=int, help="Mandatenbeheer's port (overrides --port-base)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    port = ports(args)
    url = {party: f"http://{args.host}:{number}" for party, number in port.items()}
    policies = os.path.join(REPO, "policies")
    if url["application"] != DEMO_APPLICATION_URL or url["selfservice"] != SELFSERVICE_URL:
        # the applications' policies are keyed by their entity IDs, which contain their URLs
        policies = os.path.join(os.path.abspath(args.workdir), "policies")
        shutil.rmtree(policies, ignore_errors=True)
        copy_policies(policies, url["application"], url["selfservice"])
    env = prepare(
        args.workdir,
        url["broker"],
        url["upstream"],
        url["application"],
        policy_dir=policies,
        selfservice_url=url["selfservice"],
    )
    config = os.path.join(args.workdir, "broker.toml")
    secrets = write_broker_config(env, config, bind=f"{args.host}:{port['broker']}", workers=args.workers)
    selfservice_config = os.path.join(args.workdir, "selfservice.toml")
    secrets.update(write_selfservice_config(env, selfservice_config, bind=f"{args.host}:{port['selfservice']}"))

    stopping = threading.Event()
    # any way of stopping the demo stops all three parties: Ctrl-C, SIGTERM, SIGHUP
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda *_: stopping.set())
    # the broker runs as in production: `broker serve`, gunicorn with several worker processes
    broker = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "broker"), "serve", "--config", config],
        env=dict(os.environ, **secrets),
        preexec_fn=_die_with_parent,
    )
    threading.Thread(target=lambda: (broker.wait(), stopping.set()), daemon=True).start()
    # Mandatenbeheer runs as in production too: `selfservice serve`, gunicorn
    selfservice = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "selfservice"), "serve", "--config", selfservice_config],
        env=dict(os.environ, **secrets),
        preexec_fn=_die_with_parent,
    )
    threading.Thread(target=lambda: (selfservice.wait(), stopping.set()), daemon=True).start()
    apps = [
        ("demo authenticator", port["upstream"], create_upstream_app(**env.upstream)),
        ("demo application", port["application"], create_application_app(**env.application)),
    ]
    servers = []
    try:
        servers = [make_server(args.host, number, app, threaded=True) for _, number, app in apps]
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        if _wait_until_up(url["broker"] + "/healthz", broker, stopping) and _wait_until_up(
            url["selfservice"] + "/healthz", selfservice, stopping
        ):
            print(f"\nThe demo runs. Open {url['application']}/ and click 'Aanmelden'.")
            print(f"  demo application:   {url['application']}/")
            print(f"  Mandatenbeheer:     {url['selfservice']}/  (the self-service application)")
            print(f"  broker:             {url['broker']}/saml/idp/metadata")
            print(f"  demo authenticator: {url['upstream']}/metadata  (NOT FOR PRODUCTION)")
            print("Stop with Ctrl-C.\n", flush=True)
        stopping.wait()
    finally:
        for server in servers:
            server.shutdown()
        for process in (selfservice, broker):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
    if broker.returncode not in (0, -signal.SIGTERM):
        raise SystemExit(f"broker-demo: the broker stopped (exit {broker.returncode}); see its messages above")


if __name__ == "__main__":
    main()
