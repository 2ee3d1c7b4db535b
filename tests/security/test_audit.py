"""The audit trail: every decision recorded, append-only, no SAML and no more personal data than
the person's number; `broker audit` filters it. On both engines."""

import pytest
from click.testing import CliRunner

from broker.cli import main
from broker.storage import postgres_engine, sqlite_engine
from broker.storage.audit import COLUMNS
from mandates_store import demo_data as d
from tests.conftest import APP
from tests.e2e.helpers import cards, choose
from tests.security.conftest import browser_for
from tests.security.forge import PERSON, genuine, post_acs, start_login


@pytest.fixture
def demo(demo_on_both_engines):
    return demo_on_both_engines


def login(parties, demo, person=PERSON, **changes):
    """Each login in its own browser (a broker session would skip the upstream step)."""
    browser = browser_for(parties)
    return browser, post_acs(browser, genuine(demo, start_login(browser), person, **changes))


def rows(parties):
    conn = parties["broker"].extensions["state"].conn
    return [
        dict(zip(COLUMNS, row)) for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_entries ORDER BY seq")
    ]


def test_answer_refusal_and_mandate_choice_are_recorded(parties, demo):
    login(parties, demo)  # own name, an assertion issued
    login(parties, demo, audience="http://evil/sp")  # refused
    browser, page = login(parties, demo, d.PERSON_EXECUTOR)
    emmaus = next(c[0] for c in cards(page) if c[1] == d.EMMAUS)
    assert choose(browser, page, emmaus, via="Mandaat via BAROCY").url == APP + "/"
    own, refused, mandate = rows(parties)
    assert (own["outcome"], own["person"], own["kind"], own["giver"]) == ("issued", PERSON, "own_name", PERSON)
    assert own["application"] == APP + "/saml/metadata"
    assert (refused["outcome"], refused["reason"], refused["person"]) == (
        "refused",
        "The assertion is meant for another audience.",
        None,
    )
    assert refused["application"] == APP + "/saml/metadata"  # known from the flow, never from the forged message
    assert (mandate["kind"], mandate["giver"], mandate["taker"], mandate["mandate_type"]) == (
        "mandate",
        d.EMMAUS,
        d.BAROCY,
        "WSE Loket",
    )
    assert mandate["mandate_id"].isdigit() and mandate["person"] == d.PERSON_EXECUTOR
    for row in (own, refused, mandate):  # no message, no names
        assert not any(
            str(v).lstrip().startswith("<") or "Peeters" in str(v) or "Verbeke" in str(v)
            for v in row.values()
            if v is not None
        )


def test_audit_table_is_append_only(parties, demo):
    login(parties, demo)
    conn = parties["broker"].extensions["state"].conn
    for statement in ("UPDATE audit SET person='x'", "DELETE FROM audit"):
        with pytest.raises((sqlite_engine.Error, postgres_engine.Error), match="append-only"):
            conn.execute(statement)
    assert len(rows(parties)) == 1


def test_broker_audit_command_filters(parties, demo):
    login(parties, demo)
    login(parties, demo, audience="http://evil/sp")
    state = demo.broker["STATE_DB"]

    def run(*args):
        return CliRunner().invoke(main, ["audit", "--state", state, *args])

    issued = run("--outcome", "issued")
    assert issued.exit_code == 0 and PERSON in issued.output and "audience" not in issued.output
    assert issued.output.splitlines()[1].split("\t")[3] == "issued"  # at, application, person, outcome
    assert run("--outcome", "answered").output == issued.output  # the old word, kept as an alias
    refused = run("--outcome", "refused", "--application", APP + "/saml/metadata")
    assert "another audience" in refused.output and len(refused.output.splitlines()) == 2
    assert len(run("--person", PERSON).output.splitlines()) == 2
    assert len(run("--since", "2999-01-01").output.splitlines()) == 1  # the header only
    assert run("--outcome", "maybe").exit_code != 0


def test_stored_rows_keep_their_word_and_read_as_issued(parties, demo):
    """The table is append-only and its CHECK allows 'answered': rows are never rewritten; the
    view audit_entries (and so `broker audit`) says what the broker knows, an assertion issued."""
    login(parties, demo)
    conn = parties["broker"].extensions["state"].conn
    assert [tuple(row) for row in conn.execute("SELECT outcome FROM audit")] == [("answered",)]
    assert [tuple(row) for row in conn.execute("SELECT outcome FROM audit_entries")] == [("issued",)]


def test_the_metric_counts_assertions_issued_not_logins_completed(parties, demo):
    login(parties, demo)
    text = parties["broker"].test_client().get("/metrics").get_data(as_text=True)
    assert "# HELP broker_assertions_issued_total Assertions issued" in text
    issued = [line for line in text.splitlines() if line.startswith("broker_assertions_issued_total{")]
    assert issued and "broker_logins_completed_total" not in text
