"""`selfservice serve` for real: gunicorn with two workers on loopback. Its Prometheus metrics add up
over the workers, its log lines are JSON, and a bulk import whose worker is SIGKILLed half-way is
resumed from the result page ("Hervatten"): every line once, none lost, none doubled.

The login sits in the signed session cookie, made with the application's own key (logging in
through the broker is what tests/selfservice/test_login.py and the browser tests do)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict

import lxml.html
import pytest
import requests

from demo.environment import free_port, prepare, write_selfservice_config
from mandates_store import WORK_RELATIONSHIP, Store
from mandates_store import demo_data as d
from mandates_store.identifiers import with_check_digits
from selfservice import create_app
from selfservice.access import Login

SELFSERVICE_CMD = os.path.join(os.path.dirname(sys.executable), "selfservice")
LINES = 30_000
WAIT = 120  # a ceiling for what changes on a busy machine, never a pause


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("selfservice-serve")
    env = prepare(str(root / "demo"))
    numbers = [with_check_digits(f"{20_000_000 + i:08d}") for i in range(LINES)]
    with Store(env.selfservice["STORE_DB"]) as store, store.db.transaction():
        store.db.insert_many("parties", [{"number": n, "kind": "organisation", "name": f"Org {n}"} for n in numbers])
    port = free_port()
    config = str(root / "selfservice.toml")
    secret = write_selfservice_config(env, config, bind=f"127.0.0.1:{port}", workers=2)
    log_path = root / "selfservice.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [SELFSERVICE_CMD, "serve", "--config", config],
            env=dict(os.environ, **secret),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz")
        yield {"url": f"http://127.0.0.1:{port}", "env": env, "numbers": numbers, "log": log_path}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def wait_until_answering(url: str) -> None:
    """Until gunicorn answers; a worker still booting on a busy machine may take seconds to."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def logged_in(served) -> requests.Session:
    """A browser whose cookie says: Sofie Maes, manager at Emmaüs (work relationship)."""
    app = create_app(served["env"].selfservice)
    login = Login(d.PERSON_MANAGER, "Sofie Maes", d.EMMAUS, "Emmaüs", "organisation", WORK_RELATIONSHIP, "name-id")
    cookie = app.session_interface.get_signing_serializer(app).dumps({"login": asdict(login)})
    session = requests.Session()
    session.cookies.set("selfservice_session", cookie, domain="127.0.0.1", path="/")
    return session


def form_values(response) -> dict:
    form = lxml.html.fromstring(response.text).forms[-1]
    return dict(form.form_values())


def metric(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_add_up_over_the_workers_and_log_lines_are_json(served):
    url = served["url"]
    before = requests.get(url + "/metrics", timeout=10).text
    for number in range(8):  # gunicorn spreads them over its two workers
        answer = requests.get(url + "/healthz", headers={"X-Request-ID": f"probe-{number}"}, timeout=10)
        assert answer.headers["X-Request-ID"] == f"probe-{number}"
    after = requests.get(url + "/metrics", timeout=10)
    assert after.headers["Content-Type"].startswith("text/plain")
    counted = metric(after.text, "selfservice_requests_total", endpoint="saml.healthz", status="200")
    assert counted - metric(before, "selfservice_requests_total", endpoint="saml.healthz", status="200") == 8
    assert metric(after.text, "selfservice_request_seconds_count", endpoint="saml.healthz") >= 8

    session = logged_in(served)
    page = session.get(url + "/gegroepeerd/aanmaken", timeout=10)
    assert page.status_code == 200 and "Gegroepeerd" in page.text
    upload = dict(form_values(page), type="Test ORG-ORG", role="giver", step="upload")
    confirm = session.post(url + "/gegroepeerd/aanmaken", data=upload, files={"file": ("m.csv", SMALL)}, timeout=30)
    assert confirm.status_code == 200, confirm.text[:500]
    values = dict(form_values(confirm), type="Test ORG-ORG", role="giver", step="confirm", accept="yes")
    queued = session.post(
        url + "/gegroepeerd/aanmaken", data=values, headers={"X-Request-ID": "bulk-1"}, allow_redirects=False
    )
    assert queued.status_code == 303
    lines = wait_for_log(served["log"], lambda line: line.get("message") == "bulk import finished")
    queued_line = next(line for line in lines if line.get("message") == "bulk import queued")
    assert queued_line["request_id"] == "bulk-1" and queued_line["path"] == "/gegroepeerd/aanmaken"
    assert queued_line["level"] == "INFO" and queued_line["logger"] == "selfservice"
    finished = next(line for line in lines if line.get("message") == "bulk import finished")
    assert (finished["status"], finished["lines_ok"], finished["lines_failed"]) == ("Gedeeltelijk succes", 1, 1)
    text = served["log"].read_text(encoding="utf-8")
    assert "info@example.test" not in text and d.PERSON_MANAGER not in text  # no personal data
    shown = requests.get(url + "/metrics", timeout=10).text
    assert metric(shown, "selfservice_bulk_imports_total", start="new", outcome="finished") >= 1
    assert metric(shown, "selfservice_bulk_lines_total", result="refused") >= 1


SMALL = "0400378485;info@example.test;;nl;SMALL-1\n0999999999;;;nl;SMALL-2\n"


def wait_for_log(path, found) -> list[dict]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        lines = []
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.startswith("{"):
                lines.append(json.loads(text))
        if any(found(line) for line in lines):
            return lines
        time.sleep(0.05)
    raise AssertionError(f"no such log line in {path.read_text(encoding='utf-8')[-2000:]}")


def store_counts(path: str, operation_id: int) -> dict:
    conn = sqlite3.connect(path, timeout=10)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            "lines": [
                row[0]
                for row in conn.execute(
                    "SELECT line_no FROM bulk_lines WHERE operation_id = ? ORDER BY line_no", [operation_id]
                )
            ],
            "mandates": conn.execute(
                "SELECT count(*) FROM bulk_line_mandates WHERE operation_id = ?", [operation_id]
            ).fetchone()[0],
            "takers": [
                row[0]
                for row in conn.execute(
                    "SELECT m.taker FROM mandates m JOIN bulk_line_mandates b ON b.mandate_id = m.id "
                    "WHERE b.operation_id = ?",
                    [operation_id],
                )
            ],
            "events": conn.execute(
                "SELECT count(*) FROM mandate_events e JOIN bulk_line_mandates b ON b.mandate_id = e.mandate_id "
                "WHERE b.operation_id = ?",
                [operation_id],
            ).fetchone()[0],
        }
    finally:
        conn.close()


def test_a_sigkilled_workers_import_is_resumed_from_the_page_nothing_lost_or_doubled(served):
    url, store_path, numbers = served["url"], served["env"].selfservice["STORE_DB"], served["numbers"]
    bulk_dir = served["env"].selfservice["BULK_DIR"]
    content = "".join(f"{number};kopie@example.test;;nl;K-{i}\n" for i, number in enumerate(numbers, 1))
    session = logged_in(served)
    page = session.get(url + "/gegroepeerd/aanmaken", timeout=10)
    upload = dict(form_values(page), type="Test ORG-ORG", role="giver", step="upload")
    confirm = session.post(url + "/gegroepeerd/aanmaken", data=upload, files={"file": ("k.csv", content)}, timeout=60)
    assert confirm.status_code == 200 and f"{LINES} lijnen" in confirm.text
    values = dict(form_values(confirm), type="Test ORG-ORG", role="giver", step="confirm", accept="yes")
    reader = sqlite3.connect(store_path, timeout=10)
    known = {row[0] for row in reader.execute("SELECT id FROM bulk_operations")}
    assert session.post(url + "/gegroepeerd/aanmaken", data=values, allow_redirects=False).status_code == 303

    # the worker that runs it, from the store, SIGKILLed once some groups have committed
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        row = reader.execute(
            "SELECT o.id, o.pid, (SELECT count(*) FROM bulk_lines l WHERE l.operation_id = o.id) "
            "FROM bulk_operations o WHERE o.kind = 'create' ORDER BY o.id DESC LIMIT 1"
        ).fetchone()
        if row and row[0] not in known and row[2] >= 300:
            break
        time.sleep(0.005)
    operation_id, pid, _ = row
    os.kill(pid, signal.SIGKILL)
    reader.close()

    result_url = f"{url}/gegroepeerd/resultaat/{operation_id}"
    deadline = time.monotonic() + WAIT
    while "Onderbroken" not in (result := session.get(result_url, timeout=10)).text:  # any worker shows it
        assert time.monotonic() < deadline, result.text[:1000]
    assert "Refresh" not in result.headers and "Hervatten" in result.text
    killed = store_counts(store_path, operation_id)
    done = len(killed["lines"])
    assert 300 <= done < LINES, "killed half-way"
    assert killed["lines"] == list(range(1, done + 1))  # no line half-done, none skipped
    assert killed["mandates"] == killed["events"] == done  # each committed line has its mandate and history

    resume_url = result_url + "/hervatten"
    token = form_values(result)["csrf_token"]
    other = session.post(resume_url, data={"csrf_token": token}, files={"file": ("k.csv", content[:-2])}, timeout=60)
    assert other.status_code == 400 and "Laad hetzelfde bestand op" in other.text
    resumed = session.post(resume_url, data={"csrf_token": token}, files={"file": ("k.csv", content)}, timeout=60)
    assert resumed.status_code == 200 and resumed.url == result_url  # back on the result page

    deadline = time.monotonic() + WAIT
    while "Geslaagd" not in (result := session.get(result_url, timeout=10)).text:
        assert time.monotonic() < deadline, result.text[:1000]
    assert f"{LINES} geslaagd, 0 geweigerd" in result.text
    after = store_counts(store_path, operation_id)
    assert after["lines"] == list(range(1, LINES + 1))  # every line once
    assert after["mandates"] == after["events"] == LINES
    assert sorted(after["takers"]) == sorted(numbers)  # no counterparty twice: nothing doubled
    assert os.listdir(bulk_dir) == []  # the killed worker's copy of the file went too
    with open(store_path, "rb") as handle:
        assert b"kopie@example.test" not in handle.read()
    metrics = requests.get(url + "/metrics", timeout=10).text
    assert metric(metrics, "selfservice_bulk_imports_total", start="resume", outcome="finished") == 1
