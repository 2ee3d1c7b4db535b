"""Policy edits while the broker serves logins: the demo's broker, authenticator and application."""

import logging
from pathlib import Path

from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import APP, BROKER
from tests.e2e.helpers import login_at_upstream


def fresh_browser(parties) -> Browser:
    """A new person at the keyboard: no single sign-on session left from the previous login."""
    return Browser(
        {
            "localhost:8080": parties["broker"],
            "localhost:8090": parties["upstream"],
            "localhost:8000": parties["application"],
            "localhost:8001": parties["application2"],
        }
    )


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


def test_good_and_broken_edits_while_logins_go_on(demo, parties, caplog):
    registry = parties["broker"].extensions["policies"]
    registry.check_interval = 0  # stands for the two seconds an operator waits; the unit tests time the interval
    demo_policy = Path(demo.broker["POLICY_DIR"]) / "demo-application.yaml"

    # as shipped: a person with only their own name skips the chooser
    assert login_at_upstream(fresh_browser(parties), d.PERSON_OWN_NAME_ONLY).url == APP + "/"

    # a good edit lands while a login is under way (the person is at the authenticator)
    browser = fresh_browser(parties)
    at_upstream = browser.get(APP + "/login")
    edit(demo_policy, "skip_single_option: true", "skip_single_option: false")
    page = browser.submit(at_upstream, {"person": d.PERSON_OWN_NAME_ONLY, "means": "eid"})
    assert page.url.startswith(BROKER + "/choose/"), page.url

    # a broken edit is refused and logged; the good version above stays in force
    with caplog.at_level(logging.ERROR, logger="broker.policy"):
        edit(demo_policy, "signing: both", "signing: everything")
        page = login_at_upstream(fresh_browser(parties), d.PERSON_OWN_NAME_ONLY)
    assert page.url.startswith(BROKER + "/choose/"), page.url
    assert [(issue.line, issue.column) for issue in registry.errors] == [(22, 10)]
    assert any(
        "demo-application.yaml:22:10: expected one of response, assertion, both" in record.getMessage()
        for record in caplog.records
        if record.name == "broker.policy"
    )

    # fixed again, and an edit back: the chooser is skipped once more and the errors are gone
    edit(demo_policy, "signing: everything", "signing: both")
    edit(demo_policy, "skip_single_option: false", "skip_single_option: true")
    assert login_at_upstream(fresh_browser(parties), d.PERSON_OWN_NAME_ONLY).url == APP + "/"
    assert registry.errors == ()

    # the file removed: the application is refused from the next login on
    demo_policy.unlink()
    page = fresh_browser(parties).get(APP + "/login")
    assert page.status == 400 and page.url.startswith(BROKER + "/saml/idp/sso")
    assert "De toepassing heeft geen beleid bij deze broker." in page.doc.text_content()  # Dutch by default
