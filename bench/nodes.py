"""Full logins per second with two broker nodes on one PostgreSQL against one node (issue 18), on
this machine, beside one node on SQLite (the embedded default).

Each setup runs fresh `broker serve` processes, each node in a working folder of its own (its copy
of the keys, metadata and policies, its own TOML file; tests/serve/nodes.py), both nodes on one
throw-away PostgreSQL cluster (bench/engines.py's: tests/postgres.py's, as durable as SQLite's WAL)
for the mandates store and the state. The load generator is bench/login.py's: this process runs the
demo authenticator (pysaml2 IdP) and the demo application (pysaml2 SP, which validates the broker's
signed answer) and the HTTP clients; with two nodes each login's broker requests alternate between
them, as a load balancer without sticky sessions may send them. Every signature is made and checked.

Per cell: logins/s, latency p50/p95/p99, failures, the CPU per login of the broker's workers (all
nodes'), of PostgreSQL's processes and of the load generator, logins per broker-CPU-second, and
what bounds the logins/s. The cores are shared (not pinned): the load average and the CPU the
machine's other processes took during the cell are printed with it.

    .venv/bin/python bench/nodes.py [--logins 200] [--concurrency 1 4] [--login single chooser]
                                    [--setups sqlite postgresql two-nodes] [--workers 1]
"""

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import types
from datetime import date
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from engines import BenchServer  # noqa: E402
from login import HERE, LOGINS, one_login, run, start_broker, stop_broker  # noqa: E402
from login_measure import children, cpu_seconds  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from demo.application import create_application_app  # noqa: E402
from demo.environment import copy_policies, free_port, prepare  # noqa: E402
from demo.upstream import create_upstream_app  # noqa: E402
from mandates_store import Store, demo_data  # noqa: E402
from tests.serve.nodes import node_folder, node_settings  # noqa: E402

SETUPS = {  # name: (nodes, engine of the store and the state)
    "sqlite": (1, "sqlite"),
    "postgresql": (1, "postgresql"),
    "two-nodes": (2, "postgresql"),
}
CORES = len(os.sched_getaffinity(0))
SATURATED = 0.85  # a share of a core (or of all cores) this busy is what bounds the rate


class Alternate:
    """One login's route: its broker requests to the nodes in turn, the first to node `start`."""

    def __init__(self, ports: list[int], start: int):
        self.ports, self.turn = ports, start

    def __call__(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.port not in self.ports:
            return url
        self.turn += 1
        return urlunsplit(parts._replace(netloc=f"localhost:{self.ports[(self.turn - 1) % len(self.ports)]}"))


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def bound(rate: float, concurrency: int, broker: float, database: float, generator: float, others: float) -> str:
    """What the logins/s run into, from the CPU per login (ms) of each part and the cores the
    machine's other processes took meanwhile."""
    generator_max = 1000 / generator
    machine_max = 1000 * CORES / (broker + database + generator)
    ceilings = (
        f"load generator ≤ {generator_max:.0f}/s (one process: one core at most), {CORES} cores ≤ {machine_max:.0f}/s"
    )
    if concurrency == 1:
        return f"one login at a time: its latency ({ceilings})"
    if rate * generator / 1000 >= SATURATED:
        return f"the load generator's one core ({rate * generator / 10:.0f}% busy; {ceilings})"
    if rate * (broker + database + generator) / 1000 >= SATURATED * CORES:
        return f"the machine's {CORES} cores, shared with the load generator ({ceilings})"
    left = CORES - others
    if rate * (broker + database + generator) / 1000 >= SATURATED * left:
        return f"the {left:.2f} of {CORES} cores the machine's other processes left ({ceilings})"
    return f"neither saturated: waits ({ceilings})"


def start_nodes(setup: str, args, env, demo_dir, policies, root, ports, server, store_url):
    """The setup's `broker serve` processes, each in a folder of its own under `root`."""
    count, engine = SETUPS[setup]
    state = server.bench_database(f"state_{setup.replace('-', '_')}") if engine == "postgresql" else None
    processes = []
    for number in range(count):
        folder = node_folder(root, demo_dir, policies, f"{setup}-node-{number + 1}")
        settings = node_settings(
            env.broker,
            demo_dir,
            folder,
            STATE_DB=state or os.path.join(folder, "var", "state.db"),
            STORE_DB=store_url if engine == "postgresql" else env.broker["STORE_DB"],
        )
        node = types.SimpleNamespace(broker=settings)
        processes.append(start_broker(folder, node, ports[number], args.workers, HERE, None, None)[0])
    return processes


def measure(setup, args, processes, ports, app_url, server) -> list[dict]:
    count = SETUPS[setup][0]
    worker_pids = lambda: [pid for p in processes for pid in children(p.pid)]  # noqa: E731
    route_for = (lambda number: Alternate(ports[:count], number)) if count > 1 else None
    cells = []
    for name, label, person, chooser in LOGINS:
        if name not in args.login:
            continue
        for number in range(2 * count):  # warm-up: every worker's caches
            route = route_for(number) if route_for else None
            one_login(app_url, person, chooser, route)
            if route and route.turn - number < 2:
                raise SystemExit(f"{label}: the login's broker requests did not reach both nodes")
        for concurrency in args.concurrency:
            load_before, busy_before = loadavg(), machine_busy()
            own_before, database_before = time.process_time(), cpu_seconds(server.pids())
            r = run(app_url, person, chooser, args.logins, concurrency, worker_pids, route_for)
            done = max(args.logins - r["failures"], 1)
            generator = (time.process_time() - own_before) / done * 1000  # with its threads that ended
            database = (cpu_seconds(server.pids()) - database_before) / done * 1000
            seconds = done / r["rate"]
            others = max(machine_busy() - busy_before - (r["cpu_ms"] + database + generator) * done / 1000, 0) / seconds
            cell = dict(r, setup=setup, login=label, concurrency=concurrency, generator=generator, database=database)
            cell["others"] = others
            cell["bound"] = bound(r["rate"], concurrency, r["cpu_ms"], database, generator, others)
            cells.append(cell)
            print(
                f"{setup:10} {label:13} concurrency {concurrency}: {r['rate']:5.1f} logins/s  p50 {r['p50']:6.1f} ms  "
                f"p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  failures {r['failures']}\n"
                f"    CPU per login: broker {r['cpu_ms']:.2f} ms (= {1000 / r['cpu_ms']:.0f} logins per broker-CPU-second"
                + (f", median {r['cpu_median_ms']:.2f}" if r["cpu_median_ms"] else "")
                + f"), PostgreSQL {database:.2f} ms, load generator {generator:.2f} ms; "
                f"the other processes on the machine {others:.2f} cores\n"
                f"    bound: {cell['bound']}\n    load average {load_before} -> {loadavg()}",
                flush=True,
            )
    return cells


def summary(cells: list[dict]) -> None:
    print("\nsummary (CPU ms per login: broker workers / PostgreSQL / load generator):")
    for cell in cells:
        print(
            f"  {cell['setup']:10} {cell['login']:13} c={cell['concurrency']}: {cell['rate']:5.1f} logins/s, "
            f"p50/p95/p99 {cell['p50']:.0f}/{cell['p95']:.0f}/{cell['p99']:.0f} ms, failures {cell['failures']}, "
            f"CPU {cell['cpu_ms']:.2f} / {cell['database']:.2f} / {cell['generator']:.2f} ms, "
            f"{1000 / cell['cpu_ms']:.0f} logins per broker-CPU-second, "
            f"{1000 / (cell['cpu_ms'] + cell['database']):.0f} per broker+PostgreSQL-CPU-second; "
            f"others {cell['others']:.2f} cores"
        )
    by = {(c["setup"], c["login"], c["concurrency"]): c for c in cells}
    for (setup, login, concurrency), two in by.items():
        one = by.get(("postgresql", login, concurrency))
        if setup == "two-nodes" and one:
            print(
                f"  two nodes / one node on PostgreSQL, {login}, c={concurrency}: logins/s x{two['rate'] / one['rate']:.2f}, "
                f"broker CPU per login x{two['cpu_ms'] / one['cpu_ms']:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=200, help="logins per cell")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--login", choices=("single", "chooser"), nargs="+", default=["single", "chooser"])
    parser.add_argument("--setups", choices=sorted(SETUPS), nargs="+", default=list(SETUPS))
    parser.add_argument("--workers", type=int, default=1, help="workers per node")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    workdir = tempfile.mkdtemp(prefix="bench-nodes-")
    server = BenchServer().start()
    servers = []
    try:
        ports, up_port, app_port = [free_port(), free_port()], free_port(), free_port()
        app_url = f"http://localhost:{app_port}"
        policies = copy_policies(os.path.join(workdir, "policies"), app_url)
        demo_dir = os.path.join(workdir, "demo")
        env = prepare(
            demo_dir,
            broker_url=f"http://localhost:{ports[0]}",
            upstream_url=f"http://localhost:{up_port}",
            application_url=app_url,
            policy_dir=policies,
        )
        store_url = server.bench_database("store")
        with Store(store_url) as store:
            demo_data.load_demo(store, date.today())
        servers = [
            make_server("127.0.0.1", up_port, create_upstream_app(**env.upstream), threaded=True),
            make_server("127.0.0.1", app_port, create_application_app(**env.application), threaded=True),
        ]
        for one in servers:
            threading.Thread(target=one.serve_forever, daemon=True).start()
        print(
            f"{args.logins} logins per cell, {args.workers} worker(s) per node, {CORES} cores shared by all "
            f"(unpinned); PostgreSQL {os.path.basename(os.path.dirname(server.bin))}: fsync on, synchronous_commit "
            f"off; load average {loadavg()}",
            flush=True,
        )
        cells = []
        for setup in args.setups:
            processes = start_nodes(setup, args, env, demo_dir, policies, workdir, ports, server, store_url)
            try:
                cells += measure(setup, args, processes, ports, app_url, server)
            finally:
                for process in processes:
                    stop_broker(process)
        summary(cells)
    finally:
        for one in servers:
            one.shutdown()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
