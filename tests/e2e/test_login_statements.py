"""A login's writes to the state database: few statements, one transaction per step (issue 19).

At the answer from upstream, the replay record, the SSO session and the answer (the flow ended,
its logout record, its audit entry) commit together; a step that answers at once never writes a
flow row only to delete it."""

import pytest

from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import APP, BROKER
from tests.e2e.helpers import login_at_upstream


@pytest.fixture
def demo(demo, state_location):
    demo.broker["STATE_DB"] = state_location
    return demo


@pytest.fixture
def parties(parties):
    yield parties
    parties["broker"].extensions["state"].close()


def _browser(parties):
    return Browser(
        {
            "localhost:8080": parties["broker"],
            "localhost:8090": parties["upstream"],
            "localhost:8000": parties["application"],
            "localhost:8001": parties["application2"],
        }
    )


def _traced(parties, state_location):
    """The state database's statements, as SQLite runs them (BEGIN and COMMIT included)."""
    if state_location.startswith("postgres"):
        return None
    statements = []
    parties["broker"].extensions["state"].conn.set_trace_callback(statements.append)
    return statements


def _count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_single_option_login_writes_its_answer_in_one_transaction(parties, state_location):
    _browser(parties).get(APP + "/")  # warm-up: the broker's first request reads its metadata
    statements = _traced(parties, state_location)
    page = login_at_upstream(_browser(parties), d.PERSON_OWN_NAME_ONLY)
    assert page.url == APP + "/"
    login = list(statements) if statements is not None else None
    conn = parties["broker"].extensions["state"].conn
    written = {table: _count(conn, table) for table in ("seen_assertions", "sessions", "participants", "audit")}
    assert written == {"seen_assertions": 1, "sessions": 1, "participants": 1, "audit": 1}
    assert _count(conn, "flows") == 0
    if login is not None:
        verbs = [statement.split()[0] for statement in login]
        # the request: INSERT the flow; the answer: read it, then one transaction of five writes
        assert verbs == ["INSERT", "SELECT", "BEGIN", "INSERT", "INSERT", "DELETE", "INSERT", "INSERT", "COMMIT"]


def test_a_second_application_s_login_in_the_session_writes_its_flow_once(parties, state_location):
    browser = _browser(parties)
    assert login_at_upstream(browser, d.PERSON_EXECUTOR).url.startswith(BROKER + "/choose/")
    statements = _traced(parties, state_location)
    page = browser.get(APP + "/login")  # the SSO session: the chooser at once, no upstream login
    assert page.url.startswith(BROKER + "/choose/")
    flow_id = page.url.split("/choose/")[1]
    login = list(statements) if statements is not None else None
    conn = parties["broker"].extensions["state"].conn
    row = conn.execute("SELECT session_id, choices FROM flows WHERE id=?", (flow_id,)).fetchone()
    assert row["session_id"] and row["choices"]
    if login is not None:
        at_the_request = login[: next(i for i, s in enumerate(login) if s.startswith("INSERT")) + 1]
        assert [s.split()[0] for s in at_the_request] == ["SELECT", "BEGIN", "INSERT"]  # the session, then the flow
        assert not any(s.startswith("UPDATE flows") for s in login)
