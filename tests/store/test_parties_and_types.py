import pytest

from mandates_store import ORGANISATION, PERSON, Address, InvalidIdentifier, InvalidInput, UnknownEntity
from tests.store.conftest import ORG_A, ORG_B, PERSON_P


def test_party_number_is_normalised_and_kind_derived(store):
    party = store.put_party("BE 0806.154.033", "BAROCY")
    assert (party.number, party.kind) == ("0806154033", ORGANISATION)
    assert store.party("806154033") == party
    assert store.put_party("88.01.22-265.57", "Lotte").kind == PERSON


def test_invalid_party_number_is_refused_and_nothing_stored(store):
    with pytest.raises(InvalidIdentifier, match="0806154034"):
        store.put_party("0806154034", "Bad")
    assert store.db.execute("SELECT count(*) FROM parties").fetchone()[0] == 0


def test_party_needs_a_name(store):
    with pytest.raises(InvalidInput):
        store.put_party(ORG_A, "  ")


def test_person_returns_only_persons(world):
    assert world.person(PERSON_P).name == "Lotte Verbeke"
    assert world.person(ORG_A) is None
    assert world.person("85072220893") is None  # valid, unknown


def test_find_enterprise_by_number_or_exact_full_name_only(world):
    assert world.find_enterprise("0411.515.075").name == "Emmaüs"
    assert world.find_enterprise("Emmaüs").number == ORG_A
    assert world.find_enterprise("Emma") is None  # no partial names
    assert world.find_enterprise("Emma%") is None  # no wildcards
    assert world.find_enterprise("Lotte Verbeke") is None  # persons are not enterprises


def test_ambiguous_enterprise_name_finds_nobody(world):
    world.put_party("0400378485", "BAROCY")
    assert world.find_enterprise("BAROCY") is None


def test_find_person_needs_all_four_and_all_must_match(world):
    assert world.find_person(PERSON_P, "Kouter", "12", "9000").number == PERSON_P
    assert world.find_person(PERSON_P, "kouter", "12", "9000") is not None
    assert world.find_person(PERSON_P, "Kouter", "13", "9000") is None
    with pytest.raises(InvalidInput, match="postcode"):
        world.find_person(PERSON_P, "Kouter", "12", "")


def test_address_is_kept(world):
    assert world.address(ORG_B) == Address("Hundelgemsesteenweg", "321", "9820", "Merelbeke")


def test_mandate_type_keeps_texts_and_combinations(world):
    wse = world.mandate_type("WSE Loket")
    assert wse.contracts["nl"] == "Tekst"
    assert wse.combinations == {(ORGANISATION, ORGANISATION), (PERSON, ORGANISATION)}


def test_mandate_type_needs_a_combination_and_known_languages(store):
    with pytest.raises(InvalidInput):
        store.put_mandate_type("Leeg", combinations=set())
    with pytest.raises(InvalidInput, match="language"):
        store.put_mandate_type("X", names={"es": "x"}, combinations={(PERSON, PERSON)})


def test_party_sees_only_types_it_can_take_part_in(world):
    world.put_mandate_type("Alleen personen", combinations={(PERSON, PERSON)})
    organisation_types = {t.code for t in world.mandate_types(ORGANISATION)}
    assert "Alleen personen" not in organisation_types and "WSE Loket" in organisation_types
    assert "Alleen personen" in {t.code for t in world.mandate_types(PERSON)}


def test_unknown_party_is_refused_by_name(world):
    with pytest.raises(UnknownEntity, match="0400378485"):
        world.add_work_relationship(PERSON_P, "0400378485", world.today())
