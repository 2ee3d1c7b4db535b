"""Store.login_option: one option by its key, the chooser's re-check of the option chosen. It must
give what login_options gives for that key, and nothing once the option no longer holds."""

from dataclasses import replace
from datetime import timedelta

from mandates_store import MANDAATUITVOERDER, Scope
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, active_mandate, admin

EVERY_ROUTE = Scope(
    frozenset({"WSE Loket", "Kiosk"}), work_relationship=True, legal_representative=True, member_right=None
)


def one(store, key, scope=EVERY_ROUTE, at=None, name=""):
    return store.login_option(person=PERSON_P, at=at or store.today(), scope=scope, key=key, name=name)


def every_route(world):
    """PERSON_P reaches mandates as taker, as executor at ORG_B, and as ORG_C's representative."""
    today = world.today()
    mine = active_mandate(world, ORG_A, PERSON_P, "Kiosk")
    relation = world.add_work_relationship(PERSON_P, ORG_B, today)
    right = world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, today, mandate_types=["WSE Loket"])
    executed = active_mandate(world, ORG_A, ORG_B, end=today + timedelta(days=10))
    world.add_representative(PERSON_P, ORG_C, "Zaakvoerder", today, today + timedelta(days=20))
    via_rep = active_mandate(world, ORG_A, ORG_C)
    return mine, executed, via_rep, relation, right


def test_each_option_is_the_one_login_options_gives(world):
    every_route(world)
    for name in ("", "Lotte V."):
        found = world.login_options(person=PERSON_P, at=world.today(), scope=EVERY_ROUTE, name=name)
        assert {o.kind for o in found} == {"own_name", "work_relationship", "legal_representative", "mandate"}
        assert len([o for o in found if o.kind == "mandate"]) == 3
        for option in found:
            assert one(world, option.key, name=name) == option


def test_a_stopped_mandate_is_no_longer_an_option(world):
    mine, executed, via_rep, *_ = every_route(world)
    for mandate, giver in ((mine, ORG_A), (executed, ORG_A), (via_rep, ORG_A)):
        key = f"mandate:{mandate.id}"
        assert one(world, key) is not None
        world.stop(admin(giver), mandate.id)
        assert one(world, key) is None


def test_an_expired_mandate_is_no_longer_an_option(world):
    _, executed, *_ = every_route(world)
    key = f"mandate:{executed.id}"
    assert one(world, key, at=world.today() + timedelta(days=9)) is not None
    assert one(world, key, at=world.today() + timedelta(days=10)) is None  # its end is exclusive


def test_a_withdrawn_right_or_ended_work_relationship_ends_the_executors_option(world):
    _, executed, _, relation, right = every_route(world)
    key, later = f"mandate:{executed.id}", world.today() + timedelta(days=2)
    world.end_right(right.id, world.today() + timedelta(days=1))
    assert one(world, key) is not None
    assert one(world, key, at=later) is None
    assert one(world, f"work:{ORG_B}", at=later) is not None  # the relationship itself still holds
    world.end_work_relationship(relation.id, world.today() + timedelta(days=1))
    assert one(world, f"work:{ORG_B}", at=later) is None


def test_an_ended_representation_ends_its_options(world):
    _, _, via_rep, *_ = every_route(world)
    after = world.today() + timedelta(days=20)
    assert one(world, f"rep:{ORG_C}") is not None and one(world, f"mandate:{via_rep.id}") is not None
    assert one(world, f"rep:{ORG_C}", at=after) is None
    assert one(world, f"mandate:{via_rep.id}", at=after) is None


def test_the_scope_and_the_person_still_apply(world):
    mine, executed, *_ = every_route(world)
    assert one(world, f"mandate:{mine.id}", scope=replace(EVERY_ROUTE, mandate_types=frozenset({"WSE Loket"}))) is None
    assert one(world, f"mandate:{executed.id}", scope=replace(EVERY_ROUTE, mandate=False)) is None
    assert one(world, f"rep:{ORG_C}", scope=replace(EVERY_ROUTE, legal_representative=False)) is None
    assert one(world, f"work:{ORG_B}", scope=replace(EVERY_ROUTE, work_relationship=False)) is None
    assert one(world, "own", scope=replace(EVERY_ROUTE, own_name=False)) is None
    other = world.login_option(person="79031510459", at=world.today(), scope=EVERY_ROUTE, key=f"mandate:{mine.id}")
    assert other is None  # someone else's mandate


def test_keys_it_never_gave_find_nothing(world):
    every_route(world)
    for key in ("", "mandate:", "mandate:x", "mandate:-1", "mandate:99999999999999999999", "work:", "bogus"):
        assert one(world, key) is None
    # digits of other scripts: int() would read the first and raise on the second
    for key in ("mandate:\u0665\u0667\u0661\u0660", "mandate:\u00b2"):
        assert one(world, key) is None
