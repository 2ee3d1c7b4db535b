"""Benchmark of Mandatenbeheer's search page and of a bulk import through its page.

    .venv/bin/python bench/selfservice_search.py               # full: 10M mandates, a firm with 100,000
    .venv/bin/python bench/selfservice_search.py --scale 0.01  # quick: 100k mandates, a firm with 1,000

Server time of /opzoeken (the Flask application in process, the real store file) for the firm's
manager, over a set of filter combinations: p50/p95/p99 (target p95 < 150 ms). Then a bulk create of
50,000 lines (--bulk-lines) uploaded through /gegroepeerd/aanmaken: the time until the page answers
(queued) and until the store shows the operation finished.
"""

import argparse
import io
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_data import generate  # noqa: E402

from demo.environment import prepare  # noqa: E402
from mandates_store import MANDAATBEHEERDER, Store  # noqa: E402
from mandates_store.identifiers import with_check_digits  # noqa: E402
from selfservice import create_app  # noqa: E402

QUERIES = [
    {},
    {"role": "taker"},
    {"status": "active"},
    {"status": "awaiting_signature", "role": "taker"},
    {"type": "WSE Loket"},
    {"name": "Onderneming 12"},
    {"changed_by": "giver"},
    {"page": "40"},
]


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    return (
        f"p50 {at(0.50):.1f} ms   p95 {at(0.95):.1f} ms   p99 {at(0.99):.1f} ms   "
        f"(n={len(ordered)}, mean {statistics.fmean(ordered) * 1000:.1f} ms)"
    )


def add_firm_mandates(path: str, firm: str, count: int, organisations: list[str], today: date) -> None:
    """`count` more mandates with `firm` as taker, from distinct givers: awaiting or stopped, so no
    conflict rule is touched (the generator's 2,000 active ones stay)."""
    rng = random.Random(7)
    conn = sqlite3.connect(path, isolation_level=None)
    start = today.isoformat()
    moment = f"{start}T09:00:00"
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO mandates (type_code, giver, taker, state, signer, start_date, created_at, stopped_at, "
        "changed_by, changed_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'nl')",
        (
            (
                rng.choice(("WSE Loket", "Test ORG-ORG", "Test Uniek")),
                organisations[1 + i % (len(organisations) - 1)],
                firm,
                "awaiting" if i % 2 else "stopped",
                firm,
                start,
                moment,
                None if i % 2 else moment,
                "giver",
                moment,
            )
            for i in range(count)
        ),
    )
    conn.execute("COMMIT")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--bulk-lines", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=25, help="requests per filter combination")
    args = parser.parse_args()
    today = date.today()
    work = tempfile.mkdtemp(prefix="bench-selfservice-")
    path = os.path.join(work, "store.db")
    mandates = int(10_000_000 * args.scale)
    firm_mandates = int(100_000 * args.scale)
    print(f"generating {mandates:,} mandates (+{firm_mandates:,} for the firm) in {path}")
    facts = generate(
        path,
        persons=max(2_000, int(1_000_000 * args.scale)),
        organisations=max(2_500, int(500_000 * args.scale)),
        mandates=mandates,
        today=today,
        log=print,
    )
    firm, manager = facts["big_firm"], facts["big_executor"]
    add_firm_mandates(path, firm, firm_mandates, facts["organisations"], today)
    with Store(path) as store:
        store.grant_right(manager, firm, MANDAATBEHEERDER, today.replace(year=today.year - 1))
    env = prepare(os.path.join(work, "demo"), signing_key_bits=2048)
    app = create_app(dict(env.selfservice, STORE_DB=path, BULK_DIR=os.path.join(work, "bulk")))
    client = app.test_client()
    with client.session_transaction() as session:
        session["login"] = {
            "acting": manager,
            "acting_name": "Bench Manager",
            "party": firm,
            "party_name": "Onderneming 0",
            "party_kind": "organisation",
            "kind": "work_relationship",
            "name_id": "",
        }
    with Store(path) as store:
        from mandates_store import MandateSearch

        print(f"the firm takes part in {len(store.search(MandateSearch(party=firm), limit=None)):,} mandates")
    samples = []
    for query in QUERIES:
        own = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            answer = client.get("/opzoeken", query_string=dict(query, searched="1"))
            own.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.status_code
        samples += own
        print(f"  /opzoeken {query}: {percentiles(own)}")
    print(f"search page, all filters: {percentiles(samples)}")

    lines = "\n".join(with_check_digits(f"{30_000_000 + i:08d}") + ";;;nl;B" + str(i) for i in range(args.bulk_lines))
    with Store(path) as store:  # the counterparties must exist
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT OR IGNORE INTO parties (number, kind, name) VALUES (?, 'organisation', ?)",
            ((line.split(";")[0], f"Bulk {n}") for n, line in enumerate(lines.splitlines())),
        )
        conn.execute("COMMIT")
        conn.close()
    page = client.get("/gegroepeerd/aanmaken")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    started = time.perf_counter()
    answer = client.post(
        "/gegroepeerd/aanmaken",
        data={
            "csrf_token": token,
            "type": "WSE Loket",
            "role": "giver",
            "step": "upload",
            "file": (io.BytesIO(lines.encode()), "bulk.csv"),
        },
        content_type="multipart/form-data",
    )
    text = answer.get_data(as_text=True)
    upload_token = text.split('name="token" value="')[1].split('"')[0]
    answer = client.post(
        "/gegroepeerd/aanmaken",
        data={
            "csrf_token": token,
            "type": "WSE Loket",
            "role": "giver",
            "step": "confirm",
            "token": upload_token,
            "accept": "yes",
        },
    )
    queued = time.perf_counter() - started
    assert answer.status_code == 303, answer.status_code
    for thread in app.extensions.get("selfservice_imports", []):
        thread.join()
    finished = time.perf_counter() - started
    with Store(path) as store:
        operation = store.bulk_operations(firm)[0]
    print(
        f"bulk create of {args.bulk_lines:,} lines through the page: queued in {queued:.2f} s, "
        f"finished in {finished:.1f} s ({operation.status}, {operation.lines_ok:,} ok, {operation.lines_failed:,} refused)"
    )


if __name__ == "__main__":
    main()
