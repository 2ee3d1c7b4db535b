from datetime import timedelta

import pytest

from mandates_store import MANDAATBEHEERDER, MANDAATUITVOERDER, InvalidInput, UnknownEntity
from tests.store.conftest import ORG_A, ORG_B, PERSON_P


def test_right_needs_a_work_relationship_in_its_period(world):
    today = world.today()
    with pytest.raises(InvalidInput, match="no work relationship"):
        world.grant_right(PERSON_P, ORG_B, MANDAATBEHEERDER, today)
    world.add_work_relationship(PERSON_P, ORG_B, today - timedelta(days=100), today - timedelta(days=50))
    with pytest.raises(InvalidInput, match="no work relationship"):
        world.grant_right(PERSON_P, ORG_B, MANDAATBEHEERDER, today)
    world.add_work_relationship(PERSON_P, ORG_B, today)
    assert world.grant_right(PERSON_P, ORG_B, MANDAATBEHEERDER, today).name == MANDAATBEHEERDER


def test_executor_right_needs_known_mandate_types(world):
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    with pytest.raises(InvalidInput, match="at least one mandate type"):
        world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today())
    with pytest.raises(UnknownEntity, match="Geen type"):
        world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["Geen type"])
    right = world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket", "Kiosk"])
    assert right.mandate_types == {"WSE Loket", "Kiosk"} and right.givers is None


def test_executor_right_may_be_narrowed_to_givers(world):
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    right = world.grant_right(
        PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket"], givers=["411.515.075"]
    )
    assert world.rights(PERSON_P)[0].givers == {ORG_A} == right.givers
    with pytest.raises(InvalidInput, match="may not be empty"):
        world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket"], givers=[])


def test_only_the_executor_right_takes_types_or_givers(world):
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    with pytest.raises(InvalidInput, match="only SSM Mandaatuitvoerder"):
        world.grant_right(PERSON_P, ORG_B, MANDAATBEHEERDER, world.today(), mandate_types=["WSE Loket"])


def test_rights_and_relationships_are_between_a_person_and_an_organisation(world):
    with pytest.raises(InvalidInput, match="not a person"):
        world.add_work_relationship(ORG_A, ORG_B, world.today())
    with pytest.raises(InvalidInput, match="not an organisation"):
        world.add_work_relationship(PERSON_P, PERSON_P, world.today())
    with pytest.raises(InvalidInput, match="not an organisation"):
        world.add_representative(PERSON_P, "79031510459", "Bestuurder", world.today())


def test_periods_must_end_after_they_begin(world):
    today = world.today()
    with pytest.raises(InvalidInput, match="after the begin date"):
        world.add_work_relationship(PERSON_P, ORG_B, today, today)
    relation = world.add_work_relationship(PERSON_P, ORG_B, today)
    with pytest.raises(InvalidInput):
        world.end_work_relationship(relation.id, today - timedelta(days=1))


def test_representative_needs_a_function(world):
    with pytest.raises(InvalidInput, match="function"):
        world.add_representative(PERSON_P, ORG_B, " ", world.today())
    rep = world.add_representative(PERSON_P, ORG_B, "Bestuurder", world.today())
    assert world.representations(PERSON_P) == [rep]
