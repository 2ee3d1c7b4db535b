"""Store.check_may_manage: the question the self-service application asks before every page."""

import pytest

from mandates_store import Actor, NotAllowed, UnknownEntity
from mandates_store import demo_data as d


def test_each_kind_that_may_manage(demo):
    assert demo.check_may_manage(Actor(d.PERSON_OWN_NAME_ONLY, d.PERSON_OWN_NAME_ONLY)).name == "An Peeters"
    assert demo.check_may_manage(Actor(d.PERSON_MANAGER, d.EMMAUS)).number == d.EMMAUS
    assert demo.check_may_manage(Actor(d.PERSON_REPRESENTATIVE, d.BAROCY)).number == d.BAROCY


def test_who_may_not(demo):
    with pytest.raises(NotAllowed):
        demo.check_may_manage(Actor(d.PERSON_EXECUTOR, d.BAROCY))  # Mandaatuitvoerder only
    with pytest.raises(NotAllowed):
        demo.check_may_manage(Actor(d.PERSON_MANAGER, d.PERSON_OWN_NAME_ONLY))  # another person
    with pytest.raises(UnknownEntity):
        demo.check_may_manage(Actor(d.PERSON_MANAGER, "0202239951"))


def test_a_right_that_ended_stops_at_once(demo, clock):
    right = next(r for r in demo.rights(d.PERSON_MANAGER) if r.organisation == d.EMMAUS)
    demo.end_right(right.id, clock().date())
    with pytest.raises(NotAllowed):
        demo.check_may_manage(Actor(d.PERSON_MANAGER, d.EMMAUS))
