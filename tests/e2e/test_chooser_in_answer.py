"""The chooser comes in the answer to the upstream's login (no redirect to a GET of it): one broker
request less per chooser login. The page names /choose/<flow> as its address, which a reload reads;
the upstream's answer posted again stays a refused replay."""

from urllib.parse import urlsplit

from mandates_store import Actor
from mandates_store import demo_data as d
from tests.conftest import APP, BROKER
from tests.e2e.helpers import cards, choose, login_at_upstream, received


def _broker_visits(browser):
    return [(method, urlsplit(url).path) for method, url in browser.visits if url.startswith(BROKER)]


def test_the_chooser_is_the_answer_to_the_upstream_login(browser):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    assert _broker_visits(browser) == [("GET", "/saml/idp/sso"), ("POST", "/saml/sp/acs")]
    assert page.status == 200 and cards(page)
    flow_id = page.url.removeprefix(BROKER + "/choose/")
    assert page.url == BROKER + "/choose/" + flow_id and len(flow_id) > 16
    scripts = page.doc.xpath("//script/@src")
    assert any(src.endswith("/location.js") for src in scripts)
    # the language menu returns to the chooser, not to the endpoint that answered
    assert all(f"next=/choose/{flow_id}" in href for href in page.doc.xpath("//nav[@class='languages']//a/@href"))
    page = choose(browser, page, "Emmaüs", via="Mandaat via BAROCY")
    assert page.url == APP + "/" and received(browser)["LegalSubjectID"] == d.EMMAUS
    assert len(_broker_visits(browser)) == 3


def test_a_reload_of_the_moved_chooser_shows_the_same_choices(browser):
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    again = browser.get(page.url)  # what a reload asks once location.js moved the address
    assert again.status == 200 and again.url == page.url
    assert [card[:3] for card in cards(again)] == [card[:3] for card in cards(page)]
    assert "data-location" not in again.text  # shown at its own address: nothing to move
    page = choose(browser, again, "Emmaüs", via="Mandaat via BAROCY")
    assert page.url == APP + "/" and received(browser)["IntermediateSubjectID"] == d.BAROCY


def test_a_mandate_stopped_while_the_chooser_is_open_is_refused(browser, parties):
    """The choice is checked again against the store: the option chosen must still hold."""
    page = login_at_upstream(browser, d.PERSON_EXECUTOR)
    store = parties["broker"].extensions["store"]
    found = store.login_options(person=d.PERSON_EXECUTOR, at=store.today(), scope=d.DEMO_SCOPE)
    (emmaus,) = [o for o in found if o.represented.number == d.EMMAUS and o.kind == "mandate"]
    store.stop(Actor.admin(d.EMMAUS, "tester"), emmaus.mandate_id)
    refused = choose(browser, page, "Emmaüs", via="Mandaat via BAROCY")
    assert refused.status == 400 and "niet meer geldig" in refused.text
    assert received(browser) == {}
