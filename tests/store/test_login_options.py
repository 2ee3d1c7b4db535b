from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from mandates_store import (
    MANDAATUITVOERDER,
    InvalidIdentifier,
    LoginOption,
    Party,
    Scope,
    Store,
    login_query,
)
from mandates_store.demo_data import (
    BALOISE,
    BAROCY,
    BROEDERS,
    COLRUYT,
    DELOITTE,
    DEMO_SCOPE,
    EMMAUS,
    IMEC,
    PARKWIND,
    PERSON_EXECUTOR,
    PERSON_NO_OPTION,
    PERSON_OWN_NAME_ONLY,
    PERSON_REPRESENTATIVE,
    PERSON_SEVERAL_TAKERS,
    PERSON_YOUNG,
    PWC,
    load_demo,
)
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, active_mandate, admin


def options(store, person, scope=DEMO_SCOPE, at=None):
    return store.login_options(person=person, at=at or store.now(), scope=scope)


def keys(found):
    return [option.key for option in found]


def by_represented(found):
    groups = {}
    for option in found:
        groups.setdefault(option.represented.number, []).append(option)
    return groups


def test_a_own_name_only(demo):
    (own,) = options(demo, PERSON_OWN_NAME_ONLY)
    assert own.kind == "own_name" and own.key == "own"
    assert own.acting == own.represented == Party(PERSON_OWN_NAME_ONLY, "person", "An Peeters")
    assert own.intermediary is None and own.mandate_id is None


def test_b_executor_sees_each_giver_once_via_the_firm(demo):
    found = options(demo, PERSON_EXECUTOR)
    mandate_groups = by_represented([o for o in found if o.kind == "mandate"])
    assert set(mandate_groups) == {EMMAUS, BROEDERS, PARKWIND, IMEC}
    for opts in mandate_groups.values():
        assert len(opts) == 1 and opts[0].intermediary.number == BAROCY
        assert opts[0].mandate_type == "WSE Loket" and opts[0].key == f"mandate:{opts[0].mandate_id}"
        assert "SSM Mandaatuitvoerder" in opts[0].reason
    assert "own" in keys(found) and f"work:{BAROCY}" in keys(found)
    assert BALOISE not in mandate_groups  # still awaiting signature


def test_c_several_takers_for_one_giver(demo):
    groups = by_represented(options(demo, PERSON_SEVERAL_TAKERS))
    assert sorted(o.intermediary.number for o in groups[COLRUYT]) == sorted([DELOITTE, PWC])
    assert [o.intermediary.number for o in groups[BALOISE]] == [DELOITTE]


def test_d_no_option_except_own_name(demo):
    assert keys(options(demo, PERSON_NO_OPTION)) == ["own"]
    assert options(demo, PERSON_NO_OPTION, replace(DEMO_SCOPE, own_name=False)) == []


def test_result_is_sorted_by_represented_name_then_number(demo):
    found = options(demo, PERSON_EXECUTOR)
    names = [(o.represented.name.casefold(), o.represented.number) for o in found]
    assert names == sorted(names)
    assert found == options(demo, PERSON_EXECUTOR)  # deterministic


def test_work_relationship_options_only_when_the_scope_allows(demo):
    assert f"work:{BAROCY}" not in keys(options(demo, PERSON_EXECUTOR, replace(DEMO_SCOPE, work_relationship=False)))


def test_member_right_narrows_work_relationship_options(world):
    today = world.today()
    world.add_work_relationship(PERSON_P, ORG_A, today)
    world.add_work_relationship(PERSON_P, ORG_B, today)
    world.grant_right(PERSON_P, ORG_B, "Loket gebruiker", today)
    scope = Scope(frozenset({"WSE Loket"}), work_relationship=True, member_right="Loket gebruiker")
    assert keys(options(world, PERSON_P, scope)) == [f"work:{ORG_B}", "own"]


def test_mandates_only_of_types_in_scope_and_only_when_allowed(demo):
    kiosk = Scope(frozenset({"Kiosk"}), own_name=False)
    (kiosk_option,) = options(demo, PERSON_NO_OPTION, kiosk)  # she is the taker herself
    assert kiosk_option.kind == "mandate" and kiosk_option.represented.number == EMMAUS
    assert kiosk_option.intermediary.number == PERSON_NO_OPTION
    assert options(demo, PERSON_NO_OPTION, replace(kiosk, mandate=False)) == []
    assert options(demo, PERSON_EXECUTOR, Scope(frozenset({"Kiosk"}), own_name=False)) == []


def test_person_born_after_2000_as_taker(demo):
    (option,) = options(demo, PERSON_YOUNG, Scope(frozenset({"Kiosk"}), own_name=False))
    assert option.represented.number == PERSON_OWN_NAME_ONLY


def test_legal_representative_options_only_when_allowed(demo):
    assert keys(options(demo, PERSON_REPRESENTATIVE)) == ["own"]
    allowed = replace(DEMO_SCOPE, legal_representative=True)
    found = options(demo, PERSON_REPRESENTATIVE, allowed)
    assert f"rep:{BAROCY}" in keys(found)
    via = {o.represented.number for o in found if o.kind == "mandate"}
    assert via == {EMMAUS, BROEDERS, PARKWIND, IMEC}
    assert all("legal representative" in o.reason for o in found if o.kind == "mandate")


def test_executor_right_needs_a_valid_work_relationship_and_period(world, clock):
    today = world.today()
    mandate = active_mandate(world, ORG_A, ORG_B)
    relation = world.add_work_relationship(PERSON_P, ORG_B, today)
    right = world.grant_right(
        PERSON_P, ORG_B, MANDAATUITVOERDER, today, today + timedelta(days=5), mandate_types=["WSE Loket"]
    )
    scope = Scope(frozenset({"WSE Loket"}), own_name=False)
    assert keys(options(world, PERSON_P, scope)) == [f"mandate:{mandate.id}"]
    assert options(world, PERSON_P, scope, at=today + timedelta(days=5)) == []  # right ended
    world.end_work_relationship(relation.id, today + timedelta(days=2))
    assert options(world, PERSON_P, scope, at=today + timedelta(days=3)) == []
    assert right.id


def test_executor_right_of_another_type_gives_nothing(world):
    active_mandate(world, ORG_A, ORG_B)
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["Test Uniek"])
    assert options(world, PERSON_P, Scope(frozenset({"WSE Loket"}), own_name=False)) == []


def test_executor_right_narrowed_to_givers(world):
    from_a = active_mandate(world, ORG_A, ORG_B)
    active_mandate(world, ORG_C, ORG_B)
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket"], givers=[ORG_A])
    scope = Scope(frozenset({"WSE Loket"}), own_name=False)
    assert keys(options(world, PERSON_P, scope)) == [f"mandate:{from_a.id}"]


def test_stopped_awaiting_future_and_expired_mandates_give_no_option(world, clock):
    today = world.today()
    world.add_work_relationship(PERSON_P, ORG_B, today)
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, today, mandate_types=["WSE Loket"])
    scope = Scope(frozenset({"WSE Loket"}), own_name=False)
    world.create_mandates(admin(ORG_A), role="giver", counterparty=ORG_B, types=["WSE Loket"], accept_contract=True)
    assert options(world, PERSON_P, scope) == []  # awaiting
    future = active_mandate(world, ORG_C, ORG_B, start=today + timedelta(days=1), end=today + timedelta(days=2))
    assert options(world, PERSON_P, scope) == []
    assert keys(options(world, PERSON_P, scope, at=today + timedelta(days=1))) == [f"mandate:{future.id}"]
    assert options(world, PERSON_P, scope, at=today + timedelta(days=2)) == []  # expired
    world.stop(admin(ORG_C), future.id)
    assert options(world, PERSON_P, scope, at=today + timedelta(days=1)) == []


def test_a_new_mandate_shows_up_at_once(world):
    scope = Scope(frozenset({"WSE Loket"}), own_name=False)
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket"])
    assert options(world, PERSON_P, scope) == []
    mandate = active_mandate(world, ORG_A, ORG_B)
    assert keys(options(world, PERSON_P, scope)) == [f"mandate:{mandate.id}"]


def test_option_carries_the_mandate_attributes(world):
    end = world.today() + timedelta(days=100)
    mandate = active_mandate(world, PERSON_P, ORG_B, end=end)
    world.add_representative("79031510459", ORG_B, "Zaakvoerder", world.today())
    scope = Scope(frozenset({"WSE Loket"}), own_name=False, legal_representative=True)
    found = options(world, "79031510459", scope, at=datetime.combine(world.today(), datetime.min.time()))
    (via,) = [o for o in found if o.kind == "mandate"]
    assert isinstance(via, LoginOption)
    assert (
        via.mandate_id,
        via.mandate_type,
        via.represented.number,
        via.intermediary.number,
        via.valid_from,
        via.valid_until,
    ) == (mandate.id, "WSE Loket", PERSON_P, ORG_B, world.today(), end)
    assert keys(found) == [f"rep:{ORG_B}", f"mandate:{mandate.id}"]


def test_unknown_person_still_has_own_name_and_invalid_number_is_refused(world):
    (own,) = options(world, "85072220893")
    assert own.key == "own" and own.acting.name == ""
    with pytest.raises(InvalidIdentifier):
        options(world, "85072220894")


def test_the_authenticators_name_names_the_person_in_every_option(world, demo):
    """Unknown to the store or not, the person is named as the upstream authenticator said."""
    (own,) = world.login_options(person="8507.2220893", at=world.now(), scope=DEMO_SCOPE, name="Nora Nieuwkomer")
    assert own.acting == own.represented == Party("85072220893", "person", "Nora Nieuwkomer")
    found = demo.login_options(person=PERSON_EXECUTOR, at=demo.now(), scope=DEMO_SCOPE, name="L. Verbeke")
    assert len(found) > 1 and {o.acting for o in found} == {Party(PERSON_EXECUTOR, "person", "L. Verbeke")}
    assert options(demo, PERSON_EXECUTOR)[0].acting.name != "L. Verbeke"  # without a name: the store's


def test_two_types_two_routes_person_and_organisation_givers(world):
    """Two types in scope (the type is read per row), a person giver (its kind follows from its
    number), and a mandate reachable by two routes: the first route's reason stays."""
    by_person = active_mandate(world, "79031510459", ORG_B)  # An Peeters -> BAROCY, WSE Loket
    by_org = active_mandate(world, ORG_A, ORG_B, "Test ORG-ORG")  # Emmaüs -> BAROCY
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket", "Test ORG-ORG"])
    world.add_representative(PERSON_P, ORG_B, "Zaakvoerder", world.today())
    scope = Scope(frozenset({"WSE Loket", "Test ORG-ORG"}), own_name=False, legal_representative=True)
    found = [o for o in options(world, PERSON_P, scope) if o.kind == "mandate"]
    assert [(o.mandate_id, o.mandate_type, o.represented) for o in found] == [
        (by_person.id, "WSE Loket", Party("79031510459", "person", "An Peeters")),
        (by_org.id, "Test ORG-ORG", Party(ORG_A, "organisation", "Emmaüs")),
    ]
    assert all(MANDAATUITVOERDER in o.reason and "legal representative" not in o.reason for o in found)
    assert all(o.intermediary == Party(ORG_B, "organisation", "BAROCY") for o in found)


def test_a_renamed_giver_shows_its_new_name_at_once(world):
    """Givers' Party objects are shared between calls; the name is part of what is shared."""
    mandate = active_mandate(world, ORG_A, ORG_B)
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket"])
    scope = Scope(frozenset({"WSE Loket"}), own_name=False)
    (before,) = options(world, PERSON_P, scope)
    assert before.represented == Party(ORG_A, "organisation", "Emmaüs")
    world.put_party(ORG_A, "Emmaüs vzw")
    (after,) = options(world, PERSON_P, scope)
    assert (after.mandate_id, after.represented) == (mandate.id, Party(ORG_A, "organisation", "Emmaüs vzw"))


EVERY_ROUTE = Scope(frozenset({"WSE Loket", "Test ORG-ORG"}), work_relationship=True, legal_representative=True)


def test_on_postgresql_a_login_asks_the_server_once(postgres_url, clock, round_trips):
    """Each statement is a round trip to another process: the person, the employers, the
    representations, the rights and every route's mandates come in one. (Counted once the
    statements are prepared: psycopg's preparing is one more round trip, once per connection.)"""
    with Store(postgres_url, now=clock) as store:
        load_demo(store, clock().date())
        people = (PERSON_EXECUTOR, PERSON_REPRESENTATIVE, PERSON_SEVERAL_TAKERS, PERSON_OWN_NAME_ONLY)
        for person in people:
            for scope in (DEMO_SCOPE, EVERY_ROUTE):
                expected = options(store, person, scope)
                for _ in range(5):
                    options(store, person, scope)
                with round_trips(store.db) as trips:
                    assert options(store, person, scope) == expected
                assert (person, trips.count) == (person, 1)


def test_rows_out_of_route_order_give_the_same_options(demo, monkeypatch):
    """Both engines return a UNION ALL's branches in order; an engine that did not (rows in
    reverse here) costs a second statement, not a wrong answer."""
    expected = {person: options(demo, person, EVERY_ROUTE) for person in (PERSON_EXECUTOR, PERSON_REPRESENTATIVE)}
    in_order = login_query.login_rows
    asked_again = []
    monkeypatch.setattr(login_query, "login_rows", lambda *question: reversed(list(in_order(*question))))
    real_sorted = login_query.in_route_order
    monkeypatch.setattr(login_query, "in_route_order", lambda *q: asked_again.append(q) or real_sorted(*q))
    for person, found in expected.items():
        assert options(demo, person, EVERY_ROUTE) == found
    assert len(asked_again) == 2
