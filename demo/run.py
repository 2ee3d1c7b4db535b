"""`broker-demo`: the broker, the demo authenticator and the demo application on localhost."""

import argparse
import logging
import os
import subprocess
import sys
import threading

from werkzeug.serving import make_server

from demo.application import create_application_app
from demo.environment import prepare, write_broker_config
from demo.upstream import create_upstream_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", default="var/demo", help="where keys, metadata and the store go")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--workers", type=int, default=2, help="the broker's worker processes")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    env = prepare(args.workdir)
    config = os.path.join(args.workdir, "broker.toml")
    secrets = write_broker_config(env, config, bind=f"{args.host}:8080", workers=args.workers)
    # the broker runs as in production: `broker serve`, gunicorn with several worker processes
    broker = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "broker"), "serve", "--config", config],
        env=dict(os.environ, **secrets),
    )
    apps = [
        ("demo authenticator", 8090, create_upstream_app(**env.upstream)),
        ("demo application", 8000, create_application_app(**env.application)),
    ]
    servers = [make_server(args.host, port, app, threaded=True) for _, port, app in apps]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("\nThe demo runs. Open http://localhost:8000/ and click 'Aanmelden'.")
    print("  broker:             http://localhost:8080/saml/idp/metadata")
    print("  demo authenticator: http://localhost:8090/metadata  (NOT FOR PRODUCTION)")
    print("Stop with Ctrl-C.\n", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for server in servers:
            server.shutdown()
    finally:
        broker.terminate()
        broker.wait(10)


if __name__ == "__main__":
    main()
