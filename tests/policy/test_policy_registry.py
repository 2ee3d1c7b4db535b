"""The registry: the policies in force, reloaded live; a broken edit never replaces a good version."""

import logging
import threading

import pytest

from broker.policy.errors import PolicyError
from broker.policy.registry import PolicyRegistry
from tests.policy.policy_helpers import policy_text

APP = "https://app.example.be/saml"


class Clock:
    """A monotonic clock the test moves by hand, so the check interval is tested without sleeping."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def registry(folder, clock, known=None, interval=2.0) -> PolicyRegistry:
    return PolicyRegistry(folder.path, known, check_interval=interval, clock=clock)


def test_get_all_and_an_application_without_policy(folder, clock):
    folder.write("app.yaml", policy_text(APP))
    folder.write("other.yaml", policy_text("https://other.be/x"))
    policies = registry(folder, clock)
    assert policies.get(APP).entity_id == APP
    assert policies.get("https://unknown.be/x") is None
    assert [p.entity_id for p in policies.all()] == [APP, "https://other.be/x"]
    assert policies.errors == ()


def test_an_invalid_folder_refuses_to_start_with_every_problem(folder, clock):
    folder.write("a.yaml", "entity_id: https://a.be/x\nmandate_types: [Kiosk]\nsiging: both\n")
    folder.write("b.yaml", policy_text(APP))
    folder.write("c.yaml", policy_text(APP))
    with pytest.raises(PolicyError) as raised:
        registry(folder, clock)
    assert [(i.file.rsplit("/", 1)[1], i.line, i.column) for i in raised.value.issues] == [
        ("a.yaml", 3, 1),
        ("c.yaml", 1, 12),
    ]
    assert "a.yaml:3:1: unknown key 'siging' (did you mean 'signing'?)" in str(raised.value)


def test_a_missing_folder_refuses_to_start(tmp_path, clock):
    with pytest.raises(PolicyError, match="cannot read the policy folder"):
        PolicyRegistry(tmp_path / "nope", clock=clock)


def test_unknown_mandate_types_refuse_to_start(folder, clock):
    folder.write("app.yaml", policy_text(APP, types="[Kiosq]"))
    with pytest.raises(PolicyError, match=r"app.yaml:2:17: unknown mandate type 'Kiosq' \(did you mean 'Kiosk'\?\)"):
        registry(folder, clock, known=lambda: {"Kiosk", "WSE Loket"})


def test_a_good_edit_takes_effect_after_the_check_interval(folder, clock):
    folder.write("app.yaml", policy_text(APP))
    policies = registry(folder, clock)
    folder.write("app.yaml", policy_text(APP, "single_logout: false"))
    clock.now += 1.0
    assert policies.get(APP).single_logout is True  # not yet looked: the interval keeps stat calls rare
    clock.now += 1.0
    assert policies.get(APP).single_logout is False
    assert policies.last_reload.loaded == (str(folder.path / "app.yaml"),)


def test_a_broken_edit_is_refused_logged_and_the_good_version_stays(folder, clock, caplog):
    folder.write("app.yaml", policy_text(APP, "skip_single_option: false"))
    policies = registry(folder, clock)
    folder.write("app.yaml", policy_text(APP, "skip_single_option: false", "signing: all of it"))
    clock.now += 5
    with caplog.at_level(logging.ERROR, logger="broker.policy"):
        good = policies.get(APP)
    assert good is not None and good.skip_single_option is False
    assert [str(issue) for issue in policies.errors] == [
        f"{folder.path}/app.yaml:4:10: expected one of response, assertion, both, got 'all of it'"
    ]
    [record] = caplog.records
    assert record.name == "broker.policy" and "last good version stays in force" in record.getMessage()
    assert "app.yaml:4:10: expected one of response, assertion, both" in record.getMessage()
    # the operator fixes the file: the fix applies and the errors clear
    folder.write("app.yaml", policy_text(APP, "skip_single_option: false", "signing: assertion"))
    clock.now += 5
    assert policies.get(APP).sign_response is False
    assert policies.errors == ()


def test_one_broken_file_does_not_hold_back_another_files_edit(folder, clock):
    folder.write("app.yaml", policy_text(APP))
    folder.write("other.yaml", policy_text("https://other.be/x"))
    policies = registry(folder, clock)
    folder.write("app.yaml", "entity_id: [\n")
    folder.write("other.yaml", policy_text("https://other.be/x", "encrypt_assertion: true"))
    clock.now += 5
    assert policies.get("https://other.be/x").encrypt_assertion is True
    assert policies.get(APP) is not None
    assert len(policies.errors) == 1


def test_added_and_removed_files(folder, clock):
    folder.write("app.yaml", policy_text(APP))
    policies = registry(folder, clock)
    folder.write("new.yaml", policy_text("https://new.be/x"))
    clock.now += 5
    assert policies.get("https://new.be/x") is not None
    folder.remove("app.yaml")
    clock.now += 5
    assert policies.get(APP) is None
    assert policies.last_reload.removed == (str(folder.path / "app.yaml"),)


def test_a_new_broken_file_is_refused_and_nothing_else_changes(folder, clock):
    folder.write("app.yaml", policy_text(APP))
    policies = registry(folder, clock)
    folder.write("new.yaml", "entity_id: https://new.be/x\nmandate_types: Kiosk\n")
    clock.now += 5
    assert policies.get("https://new.be/x") is None and policies.get(APP) is not None
    assert [(i.line, i.column) for i in policies.errors] == [(2, 16)]


def test_a_new_file_claiming_an_entity_id_in_force_is_refused(folder, clock):
    folder.write("b.yaml", policy_text(APP, "single_logout: false"))
    policies = registry(folder, clock)
    folder.write("a.yaml", policy_text(APP))  # sorts first, yet the version in force wins
    clock.now += 5
    assert policies.get(APP).single_logout is False
    assert [str(issue) for issue in policies.errors] == [
        f"{folder.path}/a.yaml:1:12: entity_id '{APP}' is already used by {folder.path}/b.yaml:1:12"
    ]


def test_moving_an_entity_id_from_one_file_to_another(folder, clock):
    folder.write("a.yaml", policy_text(APP))
    policies = registry(folder, clock)
    folder.remove("a.yaml")
    folder.write("b.yaml", policy_text(APP, "single_logout: false"))
    clock.now += 5
    assert policies.get(APP).single_logout is False and policies.errors == ()


def test_the_known_mandate_types_are_asked_at_each_reload(folder, clock):
    known = {"WSE Loket"}
    folder.write("app.yaml", policy_text(APP))
    policies = registry(folder, clock, known=lambda: known)
    known.add("Kiosk")  # an administrator adds a type to the store
    folder.write("app.yaml", policy_text(APP, types="[WSE Loket, Kiosk]"))
    clock.now += 5
    assert policies.get(APP).mandate_types == {"WSE Loket", "Kiosk"}


def test_a_store_that_cannot_answer_keeps_the_policies_in_force(folder, clock):
    answers = iter([{"WSE Loket"}])

    def known():
        try:
            return next(answers)
        except StopIteration:
            raise OSError("database is locked") from None

    folder.write("app.yaml", policy_text(APP))
    policies = registry(folder, clock, known=known)
    folder.write("app.yaml", policy_text(APP, "single_logout: false"))
    clock.now += 5
    assert policies.get(APP).single_logout is True
    assert "cannot read the known mandate types: database is locked" in str(policies.errors[0])


def test_every_worker_process_sees_the_edit(folder, clock):
    # each worker holds its own registry on the same folder; none needs to be told
    folder.write("app.yaml", policy_text(APP))
    workers = [registry(folder, clock) for _ in range(3)]
    folder.write("app.yaml", policy_text(APP, "require_signed_requests: true"))
    clock.now += 5
    assert [worker.get(APP).require_signed_requests for worker in workers] == [True, True, True]


def test_edits_while_threads_serve_logins_never_leave_a_gap(folder):
    """Threads ask for the policy non-stop (checking the files every millisecond) while the file is edited,
    broken and fixed; every answer is a whole good version, never None."""
    folder.write("app.yaml", policy_text(APP))
    policies = PolicyRegistry(folder.path, check_interval=0.001)
    seen, stop, failures = set(), threading.Event(), []

    def serve():
        while not stop.is_set():
            found = policies.get(APP)
            if found is None:
                failures.append("no policy")
            else:
                seen.add(found.single_logout)

    threads = [threading.Thread(target=serve) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(10):
            folder.write("app.yaml", policy_text(APP, f"single_logout: {'false' if round_ % 2 else 'true'}"))
            folder.write("app.yaml", policy_text(APP, "single_logout: [broken"))
        folder.write("app.yaml", policy_text(APP, "single_logout: false  # final"))
        policies.refresh(force=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert policies.get(APP).single_logout is False and policies.errors == ()
    assert seen <= {True, False}


WORKER = """
import sys, time
from broker.policy.registry import PolicyRegistry
policies = PolicyRegistry(sys.argv[1], check_interval=0.05)
print(policies.get(sys.argv[2]).single_logout, flush=True)
sys.stdin.readline()  # the test edits the file, then lets the worker go on
deadline = time.monotonic() + 10
while policies.get(sys.argv[2]).single_logout and time.monotonic() < deadline:
    time.sleep(0.02)
print(policies.get(sys.argv[2]).single_logout, flush=True)
"""


def test_a_separate_worker_process_picks_up_the_edit_by_itself(folder):
    import subprocess
    import sys

    folder.write("app.yaml", policy_text(APP))
    from pathlib import Path

    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(folder.path), APP],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert worker.stdout.readline() == "True\n"
        folder.write("app.yaml", policy_text(APP, "single_logout: false"))
        worker.stdin.write("go\n")
        worker.stdin.flush()
        assert worker.stdout.readline() == "False\n"
    finally:
        worker.stdin.close()
        worker.wait(timeout=15)
