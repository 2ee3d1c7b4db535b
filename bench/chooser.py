"""Server-side render time of the chooser for an executor with 2,000 givers (target: < 100 ms).

Builds the demo store plus 2,000 organisations that each gave BAROCY a "WSE Loket" mandate, so
Lotte Verbeke (SSM Mandaatuitvoerder at BAROCY) has 2,000 givers; logs her in through the whole
SAML chain on Flask test clients, then times the broker's GET of the chooser page (store query,
options, page model, template): the first page, the last page and a search.

    .venv/bin/python bench/chooser.py [--givers 2000] [--rounds 200] [--gc worker|python]
"""

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from broker import create_app  # noqa: E402
from broker.ops import gc_tuning  # noqa: E402
from demo.application import create_application_app  # noqa: E402
from demo.environment import prepare  # noqa: E402
from demo.upstream import create_upstream_app  # noqa: E402
from mandates_store import Actor, Store  # noqa: E402
from mandates_store import demo_data as d  # noqa: E402
from mandates_store.identifiers import with_check_digits  # noqa: E402
from tests.browser import Browser  # noqa: E402


def add_givers(store: Store, count: int, taker: str = d.BAROCY) -> None:
    """`count` organisations, each giving `taker` an active "WSE Loket" mandate, via the store's API."""
    barocy = Actor(d.PERSON_REPRESENTATIVE, taker)
    for i in range(count):
        number = with_check_digits(f"{10_000_000 + i * 7:08d}")
        store.put_party(number, f"Klant {i:04d} BV")
        (mandate,) = store.create_mandates(
            barocy, role="taker", counterparty=number, types=["WSE Loket"], accept_contract=True
        )
        store.sign(Actor.admin(number, "bench"), mandate.id, accept_contract=True)


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:6.1f} ms   p95 {cuts[94] * 1000:6.1f} ms   p99 {cuts[98] * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--givers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--gc",
        choices=("worker", "python"),
        default="worker",
        help="worker: the garbage collector as a broker worker sets it after start-up "
        "(broker/ops/gc_tuning.py); python: CPython's defaults",
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-chooser-")
    try:
        env = prepare(workdir)
        env.broker["SESSION_COOKIE_SECURE"] = False
        started = time.perf_counter()
        with Store(env.broker["STORE_DB"]) as store:
            add_givers(store, args.givers)
        print(f"store: {args.givers} givers built in {time.perf_counter() - started:.1f} s")
        broker = create_app(env.broker)
        browser = Browser(
            {
                "localhost:8080": broker,
                "localhost:8090": create_upstream_app(**env.upstream),
                "localhost:8000": create_application_app(**env.application),
            }
        )
        page = browser.get("http://localhost:8000/login")
        page = browser.submit(page, {"person": d.PERSON_EXECUTOR, "means": "eid"})
        assert "/choose/" in page.url, page.url
        cards = page.doc.xpath("//li[@class='card']")
        total = page.doc.xpath("string(//p[@class='count'])")
        print(f"chooser: {len(cards)} cards on the first page; {total.strip()}")
        if args.gc == "worker":
            gc_tuning.settle()
        print(f"garbage collector: {args.gc} (thresholds {gc.get_threshold()}, {gc.get_freeze_count():,} frozen)")
        client = browser.clients["localhost:8080"]
        path = page.url.split("localhost:8080", 1)[1]
        last = -(-(args.givers + 2) // 25)
        for label, url in (
            ("first page", path),
            (f"page {last}", f"{path}?page={last}"),
            ("search 'Klant 1999'", f"{path}?q=Klant+1999"),
        ):
            wall, cpu = [], []
            for _ in range(args.rounds):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, base_url="http://localhost:8080")
                wall.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
                assert response.status_code == 200
            # CPU time too: on a shared machine the wall clock also counts waiting for a core
            print(f"{label:20} wall {percentiles(wall)}")
            print(f"{'':20} cpu  {percentiles(cpu)}   ({args.rounds} requests)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
