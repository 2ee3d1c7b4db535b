"""Two managers sign conflicting mandates at the same moment: exactly one succeeds, the other gets
the conflict screen, nothing half-done."""

import threading
from datetime import timedelta

import pytest

from mandates_store import MANDAATBEHEERDER, Actor, MandateSearch
from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import build_demo
from tests.selfservice.helpers import SELF, log_in


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request, tmp_path):
    """The demo on both engines: the broker and the self-service application share the store."""
    if request.param == "sqlite":
        return build_demo(tmp_path)
    return build_demo(tmp_path, store_db=request.getfixturevalue("postgres_url"))


def test_two_signatures_at_once(parties, selfservice_app, store):
    store.grant_right(d.PERSON_EXECUTOR, d.BAROCY, MANDAATBEHEERDER, store.today() - timedelta(days=1))
    admin = Actor.admin(d.COLRUYT, "test")
    mandates = [
        store.create_mandates(admin, role="giver", counterparty=d.BAROCY, types="Test ORG-ORG", accept_contract=True)[0]
        for _ in range(2)
    ]
    apps = {
        "localhost:8080": parties["broker"],
        "localhost:8090": parties["upstream"],
        "localhost:8070": selfservice_app,
    }
    browsers = [Browser(apps), Browser(apps)]
    log_in(browsers[0], d.PERSON_REPRESENTATIVE, "BAROCY")
    log_in(browsers[1], d.PERSON_EXECUTOR, "BAROCY")
    forms = []
    for browser, mandate in zip(browsers, mandates):
        page = browser.get(f"{SELF}/mandaten/{mandate.id}/ondertekenen")
        forms.append(dict(page.doc.forms[-1].form_values(), accept="yes"))
    start = threading.Barrier(2)
    statuses = {}

    def sign(index):
        client = browsers[index].clients["localhost:8070"]
        start.wait()
        answer = client.post(f"/mandaten/{mandates[index].id}/ondertekenen", data=forms[index], base_url=SELF)
        statuses[index] = answer.status_code

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses.values()) == [303, 409]
    states = sorted(store.mandate(m.id).status for m in mandates)
    assert states == ["active", "awaiting_signature"]
    active = store.search(MandateSearch(party=d.BAROCY, participants=(d.COLRUYT,), status="active"))
    assert len(active) == 1
