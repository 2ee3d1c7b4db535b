"""Gegroepeerde acties: bulk create from an uploaded CSV in the background, bulk sign and stop
confirmed by the count, the result page and its report; 404 across parties."""

import io
import os

from mandates_store import Actor, MandateSearch
from mandates_store import demo_data as d
from tests.selfservice.helpers import SELF, log_in, submit, words

CSV = "0400378485;boekhouding@example.test;;nl;REF-1\n0400048883;;;fr;REF-2\n0999999999;;;nl;REF-3\n"


def _upload(browser, content: str, types=("Test ORG-ORG",), role="giver"):
    client = browser.clients["localhost:8070"]
    page = browser.get(SELF + "/gegroepeerd/aanmaken")
    token = page.doc.forms[-1].inputs["csrf_token"].value
    data = {"csrf_token": token, "type": list(types), "role": role, "step": "upload"}
    data["file"] = (io.BytesIO(content.encode("utf-8")), "mandaten.csv")
    answer = client.post("/gegroepeerd/aanmaken", data=data, base_url=SELF, content_type="multipart/form-data")
    return answer


def _wait_for_imports(app):
    for thread in app.extensions.get("selfservice_imports", []):
        thread.join(60)


def test_bulk_create_runs_in_the_background_and_reports(browser, store, selfservice_app, demo):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    answer = _upload(browser, CSV)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "3 lijnen" in text and "Ik heb de voorwaarden gelezen en ga akkoord" in text
    from tests.browser import Page

    page = Page(SELF + "/gegroepeerd/aanmaken", 200, text)
    refused = submit(browser, page, {"step": "confirm"})
    assert refused.status == 400 and "Je moet de voorwaarden" in words(refused)
    overview = submit(browser, page, {"accept": "yes", "step": "confirm"})
    assert overview.url == SELF + "/gegroepeerd"
    _wait_for_imports(selfservice_app)
    operation = store.bulk_operations(d.EMMAUS)[0]
    assert (operation.status, operation.lines_ok, operation.lines_failed) == ("Gedeeltelijk succes", 2, 1)
    history = browser.get(SELF + "/gegroepeerd")
    assert "Gedeeltelijk succes" in words(history)
    result = browser.get(f"{SELF}/gegroepeerd/resultaat/{operation.id}")
    assert "Resultaat van de gegroepeerde acties" in words(result) and "2 geslaagd, 1 geweigerd" in words(result)
    assert "boekhouding@example.test" not in result.text
    report = browser.clients["localhost:8070"].get(f"/gegroepeerd/resultaat/{operation.id}/rapport.txt", base_url=SELF)
    assert report.status_code == 200 and "0999999999" in report.get_data(as_text=True)
    assert os.listdir(demo.selfservice["BULK_DIR"]) == []  # the upload is gone after its import
    assert len(store.search(MandateSearch(party=d.EMMAUS, reference="REF-1"))) == 1


def test_bulk_sign_confirmed_by_the_count(browser, store):
    admin = Actor.admin(d.COLRUYT, "test")
    for kind in ("Test Uniek", "Test ORG-ORG"):  # two types: signing both makes no conflict
        store.create_mandates(admin, role="giver", counterparty=d.BAROCY, types=kind, accept_contract=True)
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    page = browser.get(SELF + "/gegroepeerd/ondertekenen?participants=0400378485")
    assert "2 resultaten." in words(page)
    wrong = submit(browser, page, {"accept": "yes", "count": "3"})
    assert wrong.status == 400 and "komt niet overeen" in words(wrong)
    done = submit(browser, page, {"accept": "yes", "count": "2"})
    assert "Resultaat van de gegroepeerde acties" in words(done) and "Geslaagd" in words(done)
    signed = store.search(MandateSearch(party=d.BAROCY, participants=(d.COLRUYT,)))
    assert sorted(m.status for m in signed) == ["active", "active"]


def test_bulk_stop_and_another_partys_operation_is_404(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(SELF + "/gegroepeerd/stopzetten?participants=0806154033")
    count = page.doc.xpath("//*[@id='count']")[0].text_content().split()[0]
    done = submit(browser, page, {"count": count, "reason": "einde"})
    assert "Geslaagd" in words(done)
    operation = store.bulk_operations(d.EMMAUS)[0]
    browser.get(SELF + "/switch")
    log_in(browser, d.PERSON_MANAGER, "Sofie Maes")
    assert browser.get(f"{SELF}/gegroepeerd/resultaat/{operation.id}").status == 404
    client = browser.clients["localhost:8070"]
    assert client.get(f"/gegroepeerd/resultaat/{operation.id}/rapport.txt", base_url=SELF).status_code == 404
    assert str(operation.id) not in words(browser.get(SELF + "/gegroepeerd")).split("Eerdere")[-1]
