"""Benchmark: the login statement of the 2,000-giver executor on PostgreSQL, variant by variant.

    .venv/bin/python bench/login_statement.py --dir /work/bench-out/pg-scale [--rounds 2] [--calls 300]

On the cluster and facts a `bench/engines.py --keep` run left in DIR, on a copy of its store
(CREATE DATABASE … TEMPLATE, dropped afterwards), each variant of mandates_store/login_query.py's
statement runs `--calls` times as the store runs it (prepared, psycopg's text results), rounds
interleaved (A B … B A). Per call: the server backend's CPU, this process's CPU (the driver's
decoding, no options built) and wall time, with the load average. The variants:

    built      the statement as login_query.py makes it
    binary     the same, binary results (psycopg binary=True)
    dates_c    the date comparisons under COLLATE "C"
    joined     the givers' names from the parties, as before store step 12 (a join per mandate
               row, by number under "C" through step 11's index, made on the copy); `built`
               reads each mandate's own copy of the name (schema.GIVER_NAME)
"""

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engines import BenchServer, admin_connect, backend_seconds, load_average, recreate_database  # noqa: E402
from store import SCOPE  # noqa: E402

from mandates_store import login_query  # noqa: E402
from mandates_store.engines.postgresql import translate  # noqa: E402
from mandates_store.schema import PARTY_NUMBERS_C  # noqa: E402

COPY = "bench_login_statement"
C_INDEX = f'CREATE INDEX IF NOT EXISTS {PARTY_NUMBERS_C} ON parties (number COLLATE "C", kind, name)'
OWN_NAMES = "m.giver, m.giver_name, "
JOINED_NAMES = "g.number, g.name, "
GIVER_JOIN = 'JOIN parties g ON g.number COLLATE "C" = m.giver '
# where each mandate branch's FROM ends: the join goes in before its WHERE
MANDATE_FROMS = ("FROM mandates m ", "AND m.type_code = t.type_code ", "JOIN mandates m ON m.taker = r.enterprise ")


def joined(sql: str) -> str:
    """The statement with step 11's giver join instead of the mandates' own names."""
    sql = sql.replace(OWN_NAMES, JOINED_NAMES)
    for end in MANDATE_FROMS:
        sql = sql.replace(end + "WHERE", end + GIVER_JOIN + "WHERE")
    return sql


def variants(sql: str) -> dict[str, tuple[str, bool]]:
    """name -> (statement, binary results)"""
    dates_c = sql.replace("_date <= ?", '_date <= ? COLLATE "C"').replace("_date > ?", '_date > ? COLLATE "C"')
    return {"built": (sql, False), "binary": (sql, True), "dates_c": (dates_c, False), "joined": (joined(sql), False)}


def timed(url: str, sql: str, binary: bool, params: list, calls: int) -> tuple[float, float, float, int]:
    """Server CPU, client CPU and wall time per call (ms), and the rows of one call."""
    import psycopg

    with psycopg.connect(url, prepare_threshold=1, autocommit=True) as conn:
        query = translate(sql)
        for _ in range(8):  # prepared, and past the plan cache's five custom plans
            conn.execute(query, params, binary=binary).fetchall()
        server, cpu, wall = backend_seconds(conn), time.thread_time(), time.perf_counter()
        for _ in range(calls):
            rows = len(conn.execute(query, params, binary=binary).fetchall())
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        server = backend_seconds(conn) - server
    return server / calls * 1000, cpu / calls * 1000, wall / calls * 1000, rows


def main() -> None:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="a bench/engines.py --keep folder (facts.json, pg/)")
    parser.add_argument("--pg-dir", help="its PostgreSQL cluster (default: DIR/pg)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--variants", default="built,binary,dates_c,joined", help="comma-separated, of the above")
    args = parser.parse_args()
    folder = Path(args.dir)
    facts = json.loads((folder / "facts.json").read_text())
    shape = login_query.shape_of(SCOPE, with_party=True)
    codes = sorted(SCOPE.mandate_types)
    params = login_query.parameters(shape, facts["big_executor"], date.today().isoformat(), codes)
    chosen = variants(login_query.statement(shape))
    server = BenchServer(root=str(Path(args.pg_dir) if args.pg_dir else folder / "pg")).start()
    try:
        recreate_database(server.url("bench"), COPY, "bench")
        url = server.url(COPY)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(C_INDEX)
            conn.execute("VACUUM ANALYZE parties")
            plan = conn.execute("EXPLAIN " + translate(chosen["joined"][0]), params).fetchall()
            uses = any(PARTY_NUMBERS_C in line for (line,) in plan)
        print(f"joined looks the givers up in {PARTY_NUMBERS_C}: {'yes' if uses else 'NO'}")
        print(f"2,000-giver executor {facts['big_executor']}, {args.calls} calls per variant; {load_average()}")
        names = args.variants.split(",")
        for round_number in range(args.rounds):
            for name in names if round_number % 2 == 0 else names[::-1]:
                sql, binary = chosen[name]
                server_ms, client_ms, wall_ms, rows = timed(url, sql, binary, params, args.calls)
                print(
                    f"  {name:8} {rows:,} rows: server CPU {server_ms:.2f} ms, client CPU {client_ms:.2f} ms, "
                    f"wall {wall_ms:.2f} ms per call; {load_average()}",
                    flush=True,
                )
        with admin_connect(url) as conn:
            conn.execute(f'DROP DATABASE "{COPY}"')
    finally:
        server.stop(keep=True)


if __name__ == "__main__":
    main()
