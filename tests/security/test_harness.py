"""The attack harness itself: an untouched forged-but-genuine answer is accepted, so every refusal
in this folder is caused by the one thing each attack changes."""

import pytest

from tests.conftest import APP
from tests.e2e.helpers import received
from tests.security.forge import PERSON, genuine, post_acs, session_count, start_login


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


def test_genuine_answer_signed_with_the_upstream_key_is_accepted(browser, demo, parties):
    request_id = start_login(browser)
    page = post_acs(browser, genuine(demo, request_id))
    assert page.url == APP + "/", (page.status, page.text[:500])
    assert received(browser)["ActingSubjectID"] == PERSON
    assert session_count(parties) == 1
