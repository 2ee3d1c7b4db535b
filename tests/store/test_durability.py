"""A killed bulk import, two writers at once, a held lock: the store stays consistent."""

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mandates_store import NotAllowed, Store, StoreBusy
from mandates_store.identifiers import with_check_digits
from tests.store.conftest import ORG_A, ORG_B, admin

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import sys
from datetime import date, datetime
from mandates_store import Actor, Store, ORGANISATION
from mandates_store.identifiers import with_check_digits
store = Store(sys.argv[1], busy_timeout=30)
"""


def run_python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SETUP + textwrap.dedent(code), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def givers(count: int, first: int = 10_000_000) -> list[str]:
    return [with_check_digits(f"{first + i:08d}") for i in range(count)]


def prepared_store(path: Path, numbers: list[str]) -> None:
    with Store(path) as store:
        store.put_party(ORG_A, "Emmaüs")
        store.put_mandate_type("WSE Loket", combinations={("organisation", "organisation")})
        with store.db.transaction():
            store.db.insert_many(
                "parties", ({"number": n, "kind": "organisation", "name": f"Org {n}"} for n in numbers)
            )


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("mandates", "mandate_events", "bulk_lines", "bulk_line_mandates")
        }
    finally:
        conn.close()


@pytest.mark.parametrize("commit_every", [1000, 1], ids=["grouped", "per-line"])
def test_kill_during_bulk_import_keeps_the_committed_lines_and_none_half_done_then_resumes(tmp_path, commit_every):
    path = tmp_path / "killed.db"
    numbers = givers(20_000)
    prepared_store(path, numbers)
    csv_path = tmp_path / "import.csv"
    csv_path.write_text("\n".join(numbers) + "\n")
    child = run_python(
        """
        store.bulk_create(Actor.admin("0411515075", "bench"), role="taker", types="WSE Loket",
                          path=sys.argv[2], accept_contract=True, commit_every=int(sys.argv[3]))
        """,
        str(path),
        str(csv_path),
        str(commit_every),
    )
    deadline = time.monotonic() + 60
    reader = sqlite3.connect(path, timeout=5)
    while time.monotonic() < deadline:
        if reader.execute("SELECT count(*) FROM bulk_lines").fetchone()[0] >= 300:
            break
        time.sleep(0.01)
    reader.close()
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()

    found = counts(path)
    assert 300 <= found["mandates"] < len(numbers)  # killed half-way
    # Every committed line has its mandate, its history and its report line - no half lines.
    assert found["mandates"] == found["mandate_events"] == found["bulk_lines"] == found["bulk_line_mandates"]
    with Store(path) as store:
        (operation,) = store.bulk_operations()
        assert operation.status == "Onderbroken" and operation.interrupted  # its process is gone
        # The progress was committed with the lines: it says exactly how far the import got.
        assert operation.last_line == operation.lines_total == operation.lines_ok == found["mandates"]
        report = store.bulk_report(operation.id)
        assert [line.line_no for line in report.lines] == list(range(1, found["mandates"] + 1))

        resumed = store.bulk_create(
            admin(ORG_A), role="taker", types="WSE Loket", path=str(csv_path), accept_contract=True, resume=operation.id
        )
        assert resumed.operation.id == operation.id and resumed.status == "Geslaagd"
        assert [line.line_no for line in resumed.lines] == list(range(1, len(numbers) + 1))
        assert resumed.operation.lines_ok == resumed.operation.last_line == len(numbers)
        # Each counterparty once: the resume started right after the last committed line.
        givers_made = [row[0] for row in store.db.conn.execute("SELECT giver FROM mandates")]
        assert sorted(givers_made) == sorted(numbers)
        with pytest.raises(NotAllowed, match="finished"):
            store.bulk_create(
                admin(ORG_A),
                role="taker",
                types="WSE Loket",
                path=str(csv_path),
                accept_contract=True,
                resume=operation.id,
            )
    assert set(counts(path).values()) == {len(numbers)}


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    path = tmp_path / "both.db"
    numbers = givers(400)
    prepared_store(path, numbers)
    code = """
        numbers = sys.argv[2].split(",")
        report = store.bulk_create(Actor.admin("0411515075", "p"), role="taker",
                                   types="WSE Loket", lines=numbers, accept_contract=True)
        print(report.status)
        """
    children = [
        run_python(code, str(path), ",".join(numbers[:200])),
        run_python(code, str(path), ",".join(numbers[200:])),
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, err.decode()
        assert out.decode().strip() == "Geslaagd"
    assert counts(path)["mandates"] == 400


def test_a_held_lock_gives_a_clear_busy_error_and_changes_nothing(tmp_path):
    path = tmp_path / "busy.db"
    with Store(path) as setup:
        setup.put_party(ORG_A, "Emmaüs")
        setup.put_party(ORG_B, "BAROCY")
        setup.put_mandate_type("WSE Loket", combinations={("organisation", "organisation")})
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store(path, busy_timeout=0.2) as store:
            with pytest.raises(StoreBusy, match="busy") as caught:
                store.create_mandates(
                    admin(ORG_A), role="giver", counterparty=ORG_B, types=["WSE Loket"], accept_contract=True
                )
            assert "bezet" in caught.value.message_nl
            # readers are not blocked by the writer (WAL)
            assert store.party(ORG_A).name == "Emmaüs"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert counts(path)["mandates"] == 0


def test_an_error_inside_a_change_rolls_all_of_it_back(tmp_path):
    with Store(tmp_path / "atomic.db") as store:
        store.put_party(ORG_A, "Emmaüs")
        store.put_party(ORG_B, "BAROCY")
        store.put_mandate_type("A", combinations={("organisation", "organisation")})
        store.put_mandate_type("B", combinations={("organisation", "organisation")})
        from tests.store.conftest import active_mandate

        active_mandate(store, ORG_A, ORG_B, "B")
        from mandates_store import Conflict

        with pytest.raises(Conflict):  # "A" would be fine, "B" conflicts: neither is made
            store.create_mandates(
                admin(ORG_A), role="giver", counterparty=ORG_B, types=["A", "B"], accept_contract=True
            )
        assert store.db.conn.execute("SELECT count(*) FROM mandates").fetchone()[0] == 1
