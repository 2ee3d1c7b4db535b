"""An assertion ID is accepted once: in the same worker, in another worker on the same STATE_DB,
and after a restart, on both engines. Lotte sees the chooser, so her flow is still open when the
answer comes back."""

import pytest

from broker import create_app
from broker.web.i18n import CATALOGUES
from mandates_store import demo_data as d
from tests.security.forge import genuine, post_acs, session_count, start_login

REPLAY = "This sign-in answer was used before."


@pytest.fixture
def demo(demo_on_both_engines):
    return demo_on_both_engines


def _reason(page):
    return " ".join(p.text_content() for p in page.doc.xpath("//*[@class='reason']"))


@pytest.mark.parametrize("where", ["same-worker", "other-worker", "after-restart"])
def test_replayed_assertion_is_refused(browser, parties, demo, where):
    request_id = start_login(browser)
    answer = genuine(demo, request_id, d.PERSON_EXECUTOR)
    first = post_acs(browser, answer)
    assert first.status == 200 and "/choose/" in first.url and session_count(parties) == 1
    client = browser.clients["localhost:8080"]
    if where == "other-worker":
        client.application = create_app(demo.broker)  # same cookie jar, another process's app on the same file
    elif where == "after-restart":
        parties["broker"].extensions["state"].close()  # the old process is gone
        client.application = create_app(demo.broker)
    second = post_acs(browser, answer)
    assert second.status == 400
    assert _reason(second) in (REPLAY, CATALOGUES["nl"][REPLAY])
    assert session_count({"broker": client.application}) == 1


def test_a_replay_right_after_a_purge_is_still_refused(browser, parties, demo):
    answer = genuine(demo, start_login(browser), d.PERSON_EXECUTOR)
    assert "/choose/" in post_acs(browser, answer).url
    parties["broker"].extensions["state"].purge()
    again = post_acs(browser, answer)
    assert again.status == 400 and _reason(again) in (REPLAY, CATALOGUES["nl"][REPLAY])
