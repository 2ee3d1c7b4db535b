"""Gebruikersbeheer in the store: who may administer, what each standing may give, rights inside
work relationships, ending that takes effect at once, other organisations' data as unknown, and
the recorded history."""

import pytest

from mandates_store import MANDAATBEHEERDER, MANDAATUITVOERDER, Actor, InvalidInput, NotAllowed, UnknownEntity
from mandates_store import demo_data as d
from mandates_store.user_admin import HEAD, LOCAL, LOKALE_BEHEERDER

ADMIN = Actor(d.PERSON_LOCAL_ADMIN, d.BAROCY)
REPRESENTATIVE = Actor(d.PERSON_REPRESENTATIVE, d.BAROCY)


def _executor_givers(store, person):
    options = store.login_options(person=person, at=store.today(), scope=d.DEMO_SCOPE)
    return {o.represented.name for o in options if o.kind == "mandate"}


def test_who_may_administer(demo):
    assert demo.check_may_administer(ADMIN) == HEAD
    assert demo.check_may_administer(REPRESENTATIVE) == HEAD  # the KBO's legal representative
    with pytest.raises(NotAllowed, match="no local administrator"):
        demo.check_may_administer(Actor(d.PERSON_EXECUTOR, d.BAROCY))
    with pytest.raises(NotAllowed, match="own name"):
        demo.check_may_administer(Actor(d.PERSON_OWN_NAME_ONLY, d.PERSON_OWN_NAME_ONLY))
    with pytest.raises(NotAllowed):
        demo.check_may_administer(Actor(d.PERSON_LOCAL_ADMIN, d.EMMAUS))


def test_the_seeds_chapter_one_takes_effect_at_once(demo):
    today = demo.today()
    assert _executor_givers(demo, d.PERSON_NEW_COLLEAGUE) == set()
    demo.admin_add_relationship(ADMIN, d.PERSON_NEW_COLLEAGUE, today)
    right = demo.admin_grant(ADMIN, d.PERSON_NEW_COLLEAGUE, MANDAATUITVOERDER, today, mandate_types=["WSE Loket"])
    assert "Emmaüs" in _executor_givers(demo, d.PERSON_NEW_COLLEAGUE)
    demo.admin_end_right(ADMIN, right.id)
    assert _executor_givers(demo, d.PERSON_NEW_COLLEAGUE) == set()
    history = demo.idm_events(d.BAROCY, d.PERSON_NEW_COLLEAGUE)
    assert [e.event for e in history] == ["right_ended", "right_granted", "relationship_added"]
    assert {(e.actor, e.actor_name, e.actor_party) for e in history} == {
        (d.PERSON_LOCAL_ADMIN, "Karin Vermeulen", d.BAROCY)
    }
    assert demo.idm_events(d.EMMAUS) == []


def test_narrowing_to_givers(demo):
    today = demo.today()
    demo.admin_add_relationship(ADMIN, d.PERSON_NEW_COLLEAGUE, today)
    demo.admin_grant(
        ADMIN, d.PERSON_NEW_COLLEAGUE, MANDAATUITVOERDER, today, mandate_types=["WSE Loket"], givers=[d.IMEC]
    )
    assert _executor_givers(demo, d.PERSON_NEW_COLLEAGUE) == {"Interuniversitair Micro-Electronica Centrum"}


def test_a_right_lies_inside_a_work_relationship(demo, clock):
    today = demo.today()
    with pytest.raises(UnknownEntity):  # no relationship at all: not one of BAROCY's people
        demo.admin_grant(ADMIN, d.PERSON_NEW_COLLEAGUE, MANDAATBEHEERDER, today)
    demo.admin_add_relationship(ADMIN, d.PERSON_NEW_COLLEAGUE, today, today.replace(year=today.year + 1))
    with pytest.raises(InvalidInput, match="inside a work relationship"):
        demo.admin_grant(ADMIN, d.PERSON_NEW_COLLEAGUE, MANDAATBEHEERDER, today)  # indefinite: longer
    with pytest.raises(InvalidInput, match="already has a work relationship"):
        demo.admin_add_relationship(ADMIN, d.PERSON_NEW_COLLEAGUE, today)
    with pytest.raises(InvalidInput, match="cannot take part"):
        demo.admin_grant(
            ADMIN,
            d.PERSON_NEW_COLLEAGUE,
            MANDAATUITVOERDER,
            today,
            today.replace(year=today.year + 1),
            mandate_types=["Kiosk"],  # organisations only give Kiosk mandates: no executor can use one
        )
    assert "Kiosk" not in {t.code for t in demo.executor_types()}
    with pytest.raises(InvalidInput, match="cannot take part"):
        demo.admin_grant(
            ADMIN,
            d.PERSON_NEW_COLLEAGUE,
            MANDAATUITVOERDER,
            today,
            today.replace(year=today.year + 1),
            mandate_types=["Nope"],
        )


def test_only_a_head_gives_lokale_beheerder(demo):
    today = demo.today()
    demo.admin_add_relationship(ADMIN, d.PERSON_NEW_COLLEAGUE, today)
    local = demo.admin_grant(ADMIN, d.PERSON_NEW_COLLEAGUE, LOKALE_BEHEERDER, today)
    deputy = Actor(d.PERSON_NEW_COLLEAGUE, d.BAROCY)
    assert demo.check_may_administer(deputy) == LOCAL
    with pytest.raises(NotAllowed, match="Lokale beheerder"):
        demo.admin_grant(deputy, d.PERSON_EXECUTOR, LOKALE_BEHEERDER, today)
    with pytest.raises(NotAllowed):
        demo.admin_end_right(deputy, local.id)
    given = demo.admin_grant(deputy, d.PERSON_EXECUTOR, MANDAATBEHEERDER, today)
    assert given.person == d.PERSON_EXECUTOR
    demo.admin_end_right(ADMIN, local.id)
    with pytest.raises(NotAllowed):  # checked again at the next write
        demo.admin_end_right(deputy, given.id)


def test_ending_a_relationship_ends_every_right_inside_it(demo):
    lotte = demo.member(d.BAROCY, d.PERSON_EXECUTOR)
    (relationship,) = lotte.relationships
    ended = demo.admin_end_relationship(ADMIN, relationship.id)
    assert [r.name for r in ended] == [MANDAATUITVOERDER]
    assert _executor_givers(demo, d.PERSON_EXECUTOR) == set()
    assert all(r.valid_until == demo.today() for r in demo.member(d.BAROCY, d.PERSON_EXECUTOR).rights)
    with pytest.raises(InvalidInput, match="already ended"):
        demo.admin_end_relationship(ADMIN, relationship.id)


def test_another_organisations_people_and_rights_do_not_exist(demo):
    manager = demo.member(d.EMMAUS, d.PERSON_MANAGER)
    for call in (
        lambda: demo.member(d.BAROCY, d.PERSON_MANAGER),
        lambda: demo.admin_end_right(ADMIN, manager.rights[0].id),
        lambda: demo.admin_end_relationship(ADMIN, manager.relationships[0].id),
        lambda: demo.admin_end_right(ADMIN, 99999),
        lambda: demo.admin_grant(ADMIN, d.PERSON_MANAGER, MANDAATBEHEERDER, demo.today()),
    ):
        with pytest.raises(UnknownEntity):
            call()
    assert demo.member(d.EMMAUS, d.PERSON_MANAGER).rights == manager.rights


def test_search_and_local_administrators(demo):
    assert [m.person.name for m in demo.members(d.BAROCY)] == ["Karin Vermeulen", "Lotte Verbeke"]
    assert [m.person.name for m in demo.members(d.BAROCY, "lotte")] == ["Lotte Verbeke"]
    assert [m.person.name for m in demo.members(d.BAROCY, "88.01.22-265.57")] == ["Lotte Verbeke"]
    assert [(p.name, r.name) for p, r in demo.local_administrators(d.BAROCY)] == [
        ("Karin Vermeulen", "Hoofd lokale beheerder")
    ]


def test_a_new_person_needs_a_name(demo):
    with pytest.raises(InvalidInput, match="fill in the name"):
        demo.admin_add_relationship(ADMIN, "00010112377", demo.today())
    demo.admin_add_relationship(ADMIN, "00010112377", demo.today(), name="Nieuwe Persoon")
    assert demo.member(d.BAROCY, "00010112377").person.name == "Nieuwe Persoon"
