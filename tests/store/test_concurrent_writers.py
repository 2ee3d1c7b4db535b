"""Concurrent writers on PostgreSQL, two real connections: the database itself keeps the conflict
rule (one active mandate per type, giver and taker) at every isolation level, and a lock held
longer than the busy timeout is a StoreBusy. SQLite serialises its writers (BEGIN IMMEDIATE);
tests/store/test_durability.py holds its side."""

import threading

import pytest

from mandates_store import Conflict, Store, StoreBusy
from tests.store.conftest import ORG_A, ORG_B, Clock, admin, fill_world


def awaiting(store: Store) -> int:
    (mandate,) = store.create_mandates(
        admin(ORG_A), role="giver", counterparty=ORG_B, types=["WSE Loket"], accept_contract=True
    )
    return mandate.id


def wait_until_a_backend_waits_for_a_lock(store: Store, other: threading.Thread) -> None:
    """Poll the server (not the clock) until another connection of this database waits on a
    lock, or the other thread is done (it did not wait: the test's assertions tell)."""
    while (
        other.is_alive()
        and not store.db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()[0]
    ):
        pass


def in_thread(work) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("isolation", ["READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"])
def test_two_concurrent_signings_of_conflicting_mandates_leave_exactly_one_active(postgres_url, isolation):
    with Store(postgres_url, now=Clock()) as store:
        fill_world(store)
        first, second = awaiting(store), awaiting(store)  # awaiting mandates never conflict
        store.close()
        opened = threading.Event()
        go_on = threading.Event()

        def sign_first_and_hold():
            store.db.execute(f"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {isolation}")
            with store.db.transaction():
                signed = store.sign(admin(ORG_B), first, accept_contract=True)
                opened.set()
                go_on.wait()  # committed only once the other signing waits for this one
            store.close()
            return signed

        def sign_second():
            opened.wait()
            store.db.execute(f"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {isolation}")
            try:
                return store.sign(admin(ORG_B), second, accept_contract=True)
            finally:
                store.close()

        holder, held = in_thread(sign_first_and_hold)
        signer, signed = in_thread(sign_second)
        opened.wait()
        # The second signing passed the code's check (it cannot see the uncommitted first one)
        # and now waits on the exclusion constraint for the first transaction to end.
        wait_until_a_backend_waits_for_a_lock(store, signer)
        go_on.set()
        holder.join()
        signer.join()
        assert held["result"].status == "active"
        assert isinstance(signed.get("error"), (Conflict, StoreBusy)), signed
        if isinstance(signed["error"], Conflict):
            assert signed["error"].existing_id == first
        active = store.db.execute(
            "SELECT id FROM mandates WHERE state = 'signed' AND giver = ? AND taker = ? ORDER BY id", [ORG_A, ORG_B]
        ).fetchall()
        assert active == [(first,)]
        assert store.mandate(second).status == "awaiting_signature"


def test_a_lock_held_longer_than_the_busy_timeout_is_store_busy(postgres_url):
    with Store(postgres_url, now=Clock()) as store:
        fill_world(store)
        mandate_id = awaiting(store)
        held, release = threading.Event(), threading.Event()

        def hold_the_row():
            with store.db.transaction():
                store.db.execute("UPDATE mandates SET reference = 'held' WHERE id = ?", [mandate_id])
                held.set()
                release.wait()
            store.close()

        holder, _ = in_thread(hold_the_row)
        held.wait()
        with Store(postgres_url, now=Clock(), busy_timeout=0.2) as impatient:
            with pytest.raises(StoreBusy, match="busy"):
                impatient.stop(admin(ORG_A), mandate_id, reason="now")
        release.set()
        holder.join()
        assert store.mandate(mandate_id).status == "awaiting_signature"
