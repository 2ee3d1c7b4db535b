"""The chooser's lines for the demo's people: what the store finds, as the broker presents it."""

import dataclasses

import pytest

from broker.selection.chooser import chooser_page
from broker.selection.labels import option_label
from mandates_store import Store
from mandates_store import demo_data as d
from tests.store.conftest import TODAY, Clock


@pytest.fixture
def demo(tmp_path):
    with Store(tmp_path / "demo.db", now=Clock()) as store:
        d.load_demo(store, TODAY)
        yield store


def cards(store, person):
    found = store.login_options(person=person, at=store.now(), scope=d.DEMO_SCOPE)
    page = chooser_page([(option.key, option) for option in found])
    return {card.represented.number: card for card in page.cards}


def test_each_giver_of_the_executor_reads_mandate_via_the_firm(demo):
    shown = cards(demo, d.PERSON_EXECUTOR)
    for giver in (d.EMMAUS, d.BROEDERS, d.PARKWIND, d.IMEC):
        _, option = shown[giver].single
        assert option_label(option, "nl") == "Mandaat via BAROCY"
    assert option_label(shown[d.PERSON_EXECUTOR].single[1], "nl") == "In eigen naam"
    assert option_label(shown[d.BAROCY].single[1], "nl") == "Als medewerker"


def test_a_giver_with_two_takers_opens_a_second_screen(demo):
    shown = cards(demo, d.PERSON_SEVERAL_TAKERS)
    assert shown[d.COLRUYT].single is None and len(shown[d.COLRUYT].options) == 2
    _, option = shown[d.BALOISE].single
    assert option_label(option, "nl") == "Mandaat via DELOITTE Belastingconsulenten"
    assert option_label(option, "en") == "Mandate via DELOITTE Belastingconsulenten"


def test_a_person_to_person_mandate_to_the_person_reads_as_a_mandate_to_them(demo):
    scope = dataclasses.replace(d.DEMO_SCOPE, mandate_types=frozenset({d.KIOSK}))
    found = demo.login_options(person=d.PERSON_YOUNG, at=demo.now(), scope=scope)
    page = chooser_page([(option.key, option) for option in found])
    (card,) = [card for card in page.cards if card.represented.number == d.PERSON_OWN_NAME_ONLY]
    _, option = card.single
    assert option.intermediary.number == option.acting.number == d.PERSON_YOUNG  # the taker is the person
    labels = [option_label(option, language) for language in ("nl", "fr", "de", "en")]
    assert labels == ["Mandaat aan jou", "Mandat qui vous est donné", "Ihnen erteiltes Mandat", "Mandate to you"]
