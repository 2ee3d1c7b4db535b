"""The result page of a running import shows its progress from the store's operation state (so any
worker shows it), refreshes itself without script while it runs, and stops when it has finished."""

from datetime import datetime

from mandates_store import Actor
from mandates_store import demo_data as d
from mandates_store.bulk.model import CREATE
from mandates_store.bulk.operations import finish_operation, record_line, start_operation
from mandates_store.database import write
from tests.selfservice.helpers import SELF, log_in, words


def running_import(store, party: str, total: int) -> int:
    """A bulk create as another live process leaves it in the store: running (this test's own pid,
    alive), `total` lines in its file, none done yet."""
    actor = Actor(d.PERSON_MANAGER, party)
    return start_operation(store.db, CREATE, actor, "giver", "Test ORG-ORG", "upload.csv", datetime.now(), None, total)


def lines_done(store, operation_id: int, numbers: range, refused: bool = False) -> None:
    with write(store.db):
        for line_no in numbers:
            record_line(
                store.db, operation_id, line_no, f"040037848{line_no % 10};;;nl", (), "Geweigerd" if refused else None
            )


def test_a_running_import_shows_done_of_total_and_refreshes_until_finished(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    operation_id = running_import(store, d.EMMAUS, 10)
    lines_done(store, operation_id, range(1, 4))
    client = browser.clients["localhost:8070"]
    url = f"/gegroepeerd/resultaat/{operation_id}"

    running = client.get(url, base_url=SELF)
    assert running.status_code == 200 and running.headers["Refresh"] == "2"
    page = browser.get(SELF + url)
    assert "3 van 10 lijnen verwerkt" in words(page) and "Bezig" in words(page)
    assert page.doc.xpath("//progress/@value") == ["3"] and page.doc.xpath("//progress/@max") == ["10"]

    lines_done(store, operation_id, range(4, 8), refused=True)
    assert "7 van 10 lijnen verwerkt" in words(browser.get(SELF + url))  # committed lines, any worker
    assert "Refresh" not in client.get(url + "?vernieuwen=uit", base_url=SELF).headers  # the user stops it

    lines_done(store, operation_id, range(8, 11))
    finish_operation(store.db, operation_id, 6, 4, datetime.now())
    finished = client.get(url, base_url=SELF)
    assert finished.status_code == 200 and "Refresh" not in finished.headers
    page = browser.get(SELF + url)
    assert "Gedeeltelijk succes" in words(page) and "6 geslaagd, 4 geweigerd" in words(page)
    assert page.doc.xpath("//progress") == [] and "vernieuwt zichzelf" not in words(page)


def test_the_progress_in_french_and_german(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    operation_id = running_import(store, d.EMMAUS, 4)
    lines_done(store, operation_id, range(1, 2))
    for code, text in (("fr", "1 lignes traitées sur 4"), ("de", "1 von 4 Zeilen verarbeitet")):
        browser.get(f"{SELF}/taal/{code}?next=/")
        assert text in words(browser.get(f"{SELF}/gegroepeerd/resultaat/{operation_id}"))
