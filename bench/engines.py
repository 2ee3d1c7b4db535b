"""Benchmark: the mandates store on SQLite and on PostgreSQL side by side, in one run.

    .venv/bin/python bench/engines.py --scale 0.01       # 100,000 mandates, throw-away
    .venv/bin/python bench/engines.py --scale 1.0 --dir /work/bench-out/pg-scale --keep
    .venv/bin/python bench/engines.py --scale 1.0 --dir /work/bench-out/pg-scale --reuse

Both stores come from bench/store_data.py's generator with one seed: SQLite by executemany,
PostgreSQL by COPY (bench/pg_load.py), each with its indexes, keys and triggers made after the
load, then checked equal the way `broker store copy` checks (rows and a checksum per table).
Then, per engine: login options p50/p95/p99 for typical persons and for an executor at a firm
with 2,000 givers, a grouped bulk import (lines/s) and the store's size. Targets (issue 18):
options p99 within 2x of SQLite's and under 2 ms typical / 20 ms for 2,000 givers; bulk at least
as fast as SQLite's.

The measurements run with the garbage collector as a broker worker sets it after start-up
(`--gc worker`, the default: broker/ops/gc_tuning.py) or with CPython's defaults (`--gc python`);
the run says which. Beside each wall-time figure: the client's CPU time per call and, on
PostgreSQL, the server backend's, and the load average (2 shared cores blur wall time).

--keep leaves the SQLite store (DIR/store.db, its facts in DIR/facts.json) and the PostgreSQL
cluster (--pg-dir, default DIR/pg) on disk; --reuse measures them again without generating (a
missing or different-sized one is made; a kept PostgreSQL store of an older schema step is
migrated first, once). The login options are read-only and read the stores themselves; the bulk
import works on copies made after them (a file copy, CREATE DATABASE … TEMPLATE), so it leaves
the kept stores as generated and every rerun measures the same data. (Read on copies, the options
competed with the copies for the page cache: at 10M the two stores and their copies are ~23 GiB
on a 24 GiB machine.)

PostgreSQL: `--postgres URL` (a server of your own; the database `bench` on it is made), or by
default a cluster of Debian's binaries under --pg-dir, as durable as the SQLite store: fsync on,
synchronous_commit off (a commit survives a killed process, a power cut may lose the last ones:
SQLite's WAL with synchronous=NORMAL).
"""

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pg_load  # noqa: E402
from login_measure import children  # noqa: E402
from store import SCOPE, bulk_lines, percentiles, size_of, time_calls  # noqa: E402
from store_data import generate, organisation_numbers  # noqa: E402

from broker.ops import gc_tuning  # noqa: E402
from mandates_store import Actor, Store  # noqa: E402
from mandates_store.bulk import COMMIT_LINES, COMMIT_SECONDS  # noqa: E402
from mandates_store.engines.copy_postgresql import PostgresSide  # noqa: E402
from mandates_store.engines.copy_sqlite import SqliteSide  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402

assert SCOPE  # the login options' scope is bench/store.py's
SEED = 4
DATABASE, MEASURED = "bench", "bench_measure"
FACTS = ("big_firm", "big_executor", "typical")  # what the measurements need from the generator


class BenchServer(PostgresServer):
    """tests/postgres.py's cluster, but durable like the SQLite store and with a cache sized as a
    server's (PostgreSQL's guide: about a quarter of the memory; 4 GiB of this machine's 24 while
    the SQLite store and the measuring copies need the rest of the page cache)."""

    superuser = "bench"

    def settings(self) -> str:
        return (
            "-c fsync=on -c synchronous_commit=off -c shared_buffers=4GB -c max_wal_size=8GB "
            "-c checkpoint_timeout=30min -c max_connections=50"
        )

    def bench_database(self, name: str = "bench") -> str:
        """A new empty database `name`; its URL."""
        import psycopg

        with psycopg.connect(f"postgresql://bench@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return f"postgresql://bench@127.0.0.1:{self.port}/{name}"

    def pids(self) -> list[int]:
        """The postmaster and its children (the backends, the checkpointer, the WAL writer…)."""
        with open(os.path.join(self.data, "postmaster.pid")) as handle:
            postmaster = int(handle.readline())
        return [postmaster, *children(postmaster)]

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's processes so far (the postmaster's children)."""
        with open(os.path.join(self.data, "postmaster.pid")) as pid_file:
            postmaster = pid_file.readline().strip()
        ticks = 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == postmaster or pid == postmaster:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def sizes(scale: float) -> dict:
    return {
        "persons": max(1000, int(1_000_000 * scale)),
        "organisations": max(3000, int(500_000 * scale)),
        "mandates": max(5000, int(10_000_000 * scale)),
        "seed": SEED,
    }


def admin_connect(url: str):
    import psycopg

    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def recreate_database(url: str, name: str, template: str = "template0") -> float:
    started = time.perf_counter()
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    return time.perf_counter() - started


def migrate_kept(location: str) -> None:
    """A kept store made by older code gets this code's schema steps once, here, not on every
    measuring copy (SQLite's step 11 builds an index of the signed mandates, about a minute at
    10M mandates; step 12 writes every mandate on both engines)."""
    import sqlite3

    import psycopg

    from mandates_store.engines import POSTGRESQL, engine_of
    from mandates_store.schema import SCHEMA_VERSION

    if engine_of(location) == POSTGRESQL:
        with psycopg.connect(location) as conn:
            version = conn.execute("SELECT version FROM schema_version").fetchone()[0]
    else:
        conn = sqlite3.connect(location)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    if version != SCHEMA_VERSION:
        started, cpu_started = time.perf_counter(), time.process_time()
        with Store(location) as store:  # opening a store migrates it
            reached = store.db.schema_version()
        print(
            f"  migrated from schema step {version} to {reached} in {time.perf_counter() - started:.1f} s "
            f"(client CPU {time.process_time() - cpu_started:.1f} s); {load_average()}"
        )
        if engine_of(location) == POSTGRESQL and version < 12:
            # step 12 writes every mandate once more: VACUUM as README's "Store step 12" says
            started = time.perf_counter()
            with psycopg.connect(location, autocommit=True) as conn:
                conn.execute("VACUUM (ANALYZE) mandates")
            print(f"  VACUUM (ANALYZE) mandates after step 12 in {time.perf_counter() - started:.1f} s")


def database_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def read_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def same_data(kept: dict | None, wanted: dict) -> bool:
    return kept is not None and all(kept.get(key) == value for key, value in wanted.items())


def compare(sqlite_path: Path, url: str) -> float:
    """broker store copy's check of the two stores; raises on any difference."""
    started = time.perf_counter()
    source, target = SqliteSide(str(sqlite_path), create=False), PostgresSide(url, create=False)
    try:
        ours = pg_load.table_checksums(source, source.columns)
        theirs = pg_load.table_checksums(target, source.columns)
    finally:
        source.close(), target.close()
    for table, (rows, checksum) in ours.items():
        verdict = "ok" if theirs[table] == (rows, checksum) else "DIFFERS"
        print(f"  {table:32} {rows:>11,} {checksum:32}  {theirs[table][0]:>11,} {theirs[table][1]:32}  {verdict}")
    if ours != theirs:
        raise SystemExit("the PostgreSQL store differs from the SQLite store")
    return time.perf_counter() - started


def server_seconds(store: Store) -> float:
    """CPU time the PostgreSQL backend of this thread's connection has used (0 for SQLite): the
    server's part of the work, which a client's own CPU time leaves out."""
    return backend_seconds(store.db.conn) if store.engine == "postgresql" else 0.0


def backend_seconds(conn) -> float:
    """CPU time the PostgreSQL backend of a psycopg connection has used."""
    with open(f"/proc/{conn.info.backend_pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def login_relations(url: str, facts: dict) -> list[str]:
    """The indexes the login statement reads, and the tables it reads rows of (not those behind
    an index-only scan), from its plans for a typical person and for the 2,000-giver executor."""
    import re

    import psycopg

    from mandates_store import login_query
    from mandates_store.engines.postgresql import translate

    shape = login_query.shape_of(SCOPE, with_party=True)
    sql = translate(login_query.statement(shape))
    found = []
    with psycopg.connect(url) as conn:
        for person in (facts["typical"][0], facts["big_executor"]):
            params = login_query.parameters(shape, person, date.today().isoformat(), sorted(SCOPE.mandate_types))
            for (line,) in conn.execute("EXPLAIN " + sql, params):
                if match := re.search(r"Index Only Scan using (\w+) on", line):
                    found.append(match[1])
                elif match := re.search(r"(?:Index|Bitmap Heap|Seq) Scan (?:using (\w+) )?on (\w+)", line):
                    found += [name for name in match.groups() if name]
    return sorted(set(found))


def prewarm(url: str, facts: dict) -> None:
    """A server that has run for a while holds the login path's pages in its shared buffers; one
    just started for the bench does not, so the first login of each typical person read them from
    the OS one by one (a third of its buffers at 10M, ~20 µs each). pg_prewarm (PostgreSQL's own
    contrib module, which a production server runs as autoprewarm) loads them first. SQLite's
    file is in the page cache already and read through a memory map."""
    import psycopg

    started, relations = time.perf_counter(), login_relations(url, facts)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        blocks = sum(conn.execute("SELECT pg_prewarm(%s)", [name]).fetchone()[0] for name in relations)
    print(
        f"PostgreSQL: prewarmed the login statement's {len(relations)} relations ({', '.join(relations)}), "
        f"{blocks * 8192 / 2**20:,.0f} MiB, in {time.perf_counter() - started:.0f} s; {load_average()}"
    )


def measure_options(label: str, location: str, facts: dict) -> dict:
    """Login options, read-only: on the kept store itself, so no copy competes for the memory."""
    figures = {}
    with Store(location) as store:
        time_calls(store, facts["typical"][:200])  # warm the caches (and prepare the statements)
        for what, persons, repeat in (
            ("typical", facts["typical"], 1),
            ("big", [facts["big_executor"]], 300),
        ):
            if what == "big":
                time_calls(store, persons, repeat=5)
            cpu, server = [], server_seconds(store)
            samples, options = time_calls(store, persons, repeat=repeat, cpu=cpu)
            server = (server_seconds(store) - server) / len(samples) * 1000
            figures[what] = samples
            name = "typical person  " if what == "typical" else "2,000-giver firm"
            print(f"[{label:10}] login options, {name} : {percentiles(samples)}; {options / len(samples):.1f} options")
            print(f"[{label:10}]   client CPU time               : {percentiles(cpu)}; server CPU {server:.3f} ms/call")
    return figures


def measure_bulk(label: str, location: str, facts: dict, csv_path: Path, lines: int) -> float:
    """A grouped bulk import on a copy (it writes); lines per second."""
    with Store(location) as store:
        actor = Actor.admin(facts["big_firm"], "bench")
        started, cpu, server = time.perf_counter(), time.process_time(), server_seconds(store)
        report = store.bulk_create(actor, role="giver", types="Test ORG-ORG", path=str(csv_path), accept_contract=True)
        seconds, cpu, server = time.perf_counter() - started, time.process_time() - cpu, server_seconds(store) - server
        print(
            f"[{label:10}] bulk import, grouped ({COMMIT_LINES:,} lines/{COMMIT_SECONDS * 1000:.0f} ms): "
            f"{lines:,} lines in {seconds:.1f} s = {lines / seconds:,.0f} lines/s "
            f"({report.status}, {len(report.created):,} created, {len(report.refused):,} refused); "
            f"CPU client {cpu:.1f} s, server {server:.1f} s; {load_average()}"
        )
    return lines / seconds


def p99(samples: list[float]) -> float:
    return sorted(samples)[min(len(samples) - 1, int(0.99 * len(samples)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (1.0 = 10M mandates)")
    parser.add_argument("--dir", default=None, help="the bench's folder (default: a new one under TMPDIR)")
    parser.add_argument("--keep", action="store_true", help="keep DIR/store.db and the cluster afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the stores an earlier --keep left; implies --keep"
    )
    parser.add_argument("--pg-dir", help="the PostgreSQL cluster's folder (default: DIR/pg)")
    parser.add_argument("--postgres", metavar="URL", help="a server of your own (its database 'bench' is replaced)")
    parser.add_argument("--bulk-lines", type=int, default=100_000)
    parser.add_argument(
        "--gc",
        choices=("worker", "python"),
        default="worker",
        help="worker: the garbage collector as a broker worker sets it after start-up "
        "(broker/ops/gc_tuning.py); python: CPython's defaults",
    )
    args = parser.parse_args()
    args.keep = args.keep or args.reuse
    if args.keep and not args.dir:
        parser.error("--keep and --reuse need --dir")

    run_started = time.perf_counter()
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-engines-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not args.dir:
        folder.chmod(0o755)  # mkdtemp's 0700 keeps out the postgres user that runs the cluster under root
    sqlite_path, facts_path = folder / "store.db", folder / "facts.json"
    pg_dir = Path(args.pg_dir) if args.pg_dir else folder / "pg"
    marker = (pg_dir if not args.postgres else folder) / "loaded.json"
    wanted = sizes(args.scale)
    print(f"{load_average()}; {wanted}")

    facts = read_json(facts_path) if args.reuse else None
    loaded = read_json(marker) if args.reuse else None
    sqlite_kept = same_data(facts, wanted) and sqlite_path.exists()
    if not sqlite_kept:
        facts = None
    pg_wanted = dict(wanted, today=facts["today"]) if facts else wanted
    pg_kept = same_data(loaded, pg_wanted)
    today = facts["today"] if facts else loaded["today"] if pg_kept else date.today().isoformat()
    if facts is None and pg_kept:
        facts = {key: loaded[key] for key in FACTS}

    server = None
    try:
        if sqlite_kept:
            print(f"SQLite: reusing {sqlite_path} (generated for {today})")
            migrate_kept(str(sqlite_path))
        else:
            print(f"SQLite: generating {wanted} into {sqlite_path}; {load_average()}")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
            made = generate(str(sqlite_path), **_counts(wanted), today=date.fromisoformat(today))
            del made["organisations"]  # see bench/store.py: held, the garbage collector walks them
            if facts and any(made[key] != facts[key] for key in FACTS):  # the kept cluster's
                raise SystemExit("the generated SQLite store's facts differ from the kept PostgreSQL store's")
            facts = {**made, **wanted, "today": today}
            facts_path.write_text(json.dumps(facts))
            print(f"  generated in {made['seconds']:.0f} s; {size_of(sqlite_path) / 2**30:.2f} GiB; {load_average()}")

        if args.postgres:
            url = args.postgres.rsplit("/", 1)[0] + f"/{DATABASE}"
        else:
            server = BenchServer(root=str(pg_dir)).start()
            url = server.url(DATABASE)
        if pg_kept:
            print(f"PostgreSQL: reusing {url} in {pg_dir} (loaded for {today}, checked equal to SQLite's)")
            migrate_kept(url)
        else:
            recreate_database(url, DATABASE)
            print(f"PostgreSQL: loading {wanted} into {url} by COPY; {load_average()}")
            cpu_before = server.cpu_seconds() if server else float("nan")
            made = pg_load.load(url, **_counts(wanted), today=date.fromisoformat(today))
            if any(made[key] != facts[key] for key in FACTS):
                raise SystemExit("the PostgreSQL load's facts differ from the SQLite store's")
            print(
                f"  loaded in {made['seconds']:.0f} s (server CPU {server.cpu_seconds() - cpu_before:.0f} s); "
                f"{database_size(url) / 2**30:.2f} GiB; {load_average()}"
            )
        if not (sqlite_kept and pg_kept):
            print("Checking both stores as broker store copy does (table, rows and checksum on each side):")
            seconds = compare(sqlite_path, url)
            print(f"  every table equal; checked in {seconds:.0f} s; {load_average()}")
            marker.write_text(json.dumps({**wanted, "today": today, **{key: facts[key] for key in FACTS}}))

        measure_started = time.perf_counter()
        if args.gc == "worker":
            gc_tuning.settle()
        print(
            f"garbage collector: {args.gc} (thresholds {gc.get_threshold()}, {gc.get_freeze_count():,} frozen); "
            f"{load_average()}"
        )
        sqlite = measure_options("sqlite", str(sqlite_path), facts)
        prewarm(url, facts)
        postgres = measure_options("postgresql", url, facts)
        copy_path = folder / "measure.db"
        started = time.perf_counter()
        for suffix in ("", "-wal"):
            if os.path.exists(f"{sqlite_path}{suffix}"):
                shutil.copyfile(f"{sqlite_path}{suffix}", f"{copy_path}{suffix}")
        copy_url = url.rsplit("/", 1)[0] + f"/{MEASURED}"
        print(
            f"Bulk import on copies: SQLite file copy {time.perf_counter() - started:.0f} s, "
            f"PostgreSQL CREATE DATABASE … TEMPLATE {recreate_database(url, MEASURED, DATABASE):.0f} s; {load_average()}"
        )
        lines = bulk_lines(organisation_numbers(wanted["organisations"]), args.bulk_lines)
        csv_path = folder / "bulk.csv"
        csv_path.write_text("\n".join(lines) + "\n")
        count = len(lines)
        del lines  # in the file now; held, they are objects for the garbage collector to walk
        sqlite["bulk"] = measure_bulk("sqlite", str(copy_path), facts, csv_path, count)
        postgres["bulk"] = measure_bulk("postgresql", copy_url, facts, csv_path, count)
        csv_path.unlink()
        print(
            f"store size after the bulk import: sqlite {size_of(copy_path) / 2**30:.2f} GiB, "
            f"postgresql {database_size(copy_url) / 2**30:.2f} GiB"
        )
        for what, target in (("typical", 2.0), ("big", 20.0)):
            ratio = p99(postgres[what]) / p99(sqlite[what])
            print(
                f"targets, {what:7}: postgresql p99 {p99(postgres[what]):.3f} ms = {ratio:.2f}x sqlite's "
                f"(within 2x: {'yes' if ratio <= 2 else 'NO'}; under {target:g} ms: "
                f"{'yes' if p99(postgres[what]) < target else 'NO'})"
            )
        print(
            f"targets, bulk   : postgresql {postgres['bulk']:,.0f} lines/s vs sqlite {sqlite['bulk']:,.0f} "
            f"(at least as fast: {'yes' if postgres['bulk'] >= sqlite['bulk'] else 'NO'})"
        )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy_path}{suffix}").unlink(missing_ok=True)
        with admin_connect(url) as conn:
            conn.execute(f'DROP DATABASE "{MEASURED}"')
        print(
            f"measuring took {time.perf_counter() - measure_started:.0f} s; the whole run "
            f"{time.perf_counter() - run_started:.0f} s; {load_average()}"
        )
    finally:
        if server is not None:
            server.stop(keep=args.keep)
        if not args.keep:
            if args.dir:
                _remove_store(sqlite_path, facts_path)
            else:
                shutil.rmtree(folder, ignore_errors=True)


def _counts(wanted: dict) -> dict:
    return {key: wanted[key] for key in ("persons", "organisations", "mandates", "seed")}


def _remove_store(sqlite_path: Path, facts_path: Path) -> None:
    for path in (sqlite_path, Path(f"{sqlite_path}-wal"), Path(f"{sqlite_path}-shm"), facts_path):
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
