from datetime import timedelta

import pytest

from mandates_store import MANDAATBEHEERDER, Actor, Conflict, InvalidIdentifier, InvalidInput, NotAllowed, UnknownEntity
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, PERSON_Q, active_mandate, admin


def create(store, actor, counterparty, types=("WSE Loket",), role="giver", **kw):
    kw.setdefault("accept_contract", True)
    return store.create_mandates(actor, role=role, counterparty=counterparty, types=list(types), **kw)


def count(store, table="mandates"):
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_created_mandate_awaits_the_counterpartys_signature(world):
    (mandate,) = create(world, admin(ORG_A), "0806.154.033", reference="M001", language="fr")
    assert mandate.status == "awaiting_signature" and mandate.status_nl == "Wacht op ondertekening"
    assert (mandate.giver.number, mandate.taker.number, mandate.signer) == (ORG_A, ORG_B, ORG_B)
    assert mandate.start_date == world.today() and mandate.end_date is None
    assert (mandate.reference, mandate.language) == ("M001", "fr")


def test_taker_may_create_and_then_the_giver_signs(world):
    (mandate,) = create(world, admin(ORG_B), ORG_A, role="taker")
    assert mandate.giver.number == ORG_A and mandate.signer == ORG_A
    with pytest.raises(NotAllowed, match="counterparty"):
        world.sign(admin(ORG_B), mandate.id, accept_contract=True)
    assert world.sign(admin(ORG_A), mandate.id, accept_contract=True).status == "active"


def test_several_types_make_one_mandate_each(world):
    made = create(world, admin(ORG_A), ORG_B, types=["Test ORG-ORG", "Test Uniek"])
    assert sorted(m.type_code for m in made) == ["Test ORG-ORG", "Test Uniek"]
    assert len({m.id for m in made}) == 2


def test_types_with_different_combinations_are_refused_together(world):
    with pytest.raises(InvalidInput, match="niet onderling combineerbaar|cannot be combined") as c:
        create(world, admin(ORG_A), ORG_B, types=["WSE Loket", "Test Uniek"])
    assert "niet onderling combineerbaar" in c.value.message_nl
    assert count(world) == 0


def test_start_in_the_past_is_refused_with_the_seeds_sentence(world):
    with pytest.raises(InvalidInput) as caught:
        create(world, admin(ORG_A), ORG_B, start=world.today() - timedelta(days=1))
    assert caught.value.message_nl == ("De begindatum moet groter of gelijk zijn aan de datum van vandaag.")


def test_end_before_start_is_refused(world):
    start = world.today() + timedelta(days=10)
    with pytest.raises(InvalidInput, match="end date"):
        create(world, admin(ORG_A), ORG_B, start=start, end=start - timedelta(days=1))


def test_giver_cannot_be_taker(world):
    with pytest.raises(InvalidInput, match="both giver and taker"):
        create(world, admin(ORG_A), "411515075")


def test_combination_not_allowed_by_the_type_is_refused(world):
    with pytest.raises(InvalidInput, match="does not allow"):
        create(world, admin(ORG_A), PERSON_P, types=["WSE Loket"])  # org -> person
    (mandate,) = create(world, admin(ORG_A), PERSON_P, types=["Kiosk"])
    assert mandate.taker.kind == "person"


def test_unknown_language_type_counterparty_and_bad_number_are_refused(world):
    with pytest.raises(InvalidInput, match="language"):
        create(world, admin(ORG_A), ORG_B, language="es")
    with pytest.raises(UnknownEntity, match="Nope"):
        create(world, admin(ORG_A), ORG_B, types=["Nope"])
    with pytest.raises(UnknownEntity, match="0400378485"):
        create(world, admin(ORG_A), "0400378485")
    with pytest.raises(InvalidIdentifier, match="counterparty"):
        create(world, admin(ORG_A), "0400378486")
    assert count(world) == 0


def test_contract_must_be_accepted_to_create_and_to_sign(world):
    with pytest.raises(NotAllowed, match="contract"):
        create(world, admin(ORG_A), ORG_B, accept_contract=False)
    (mandate,) = create(world, admin(ORG_A), ORG_B)
    with pytest.raises(NotAllowed, match="contract"):
        world.sign(admin(ORG_B), mandate.id)
    assert world.mandate(mandate.id).status == "awaiting_signature"


def test_future_start_shows_until_the_day_comes(world, clock):
    (mandate,) = create(world, admin(ORG_A), ORG_B, start=world.today() + timedelta(days=5))
    signed = world.sign(admin(ORG_B), mandate.id, accept_contract=True)
    assert signed.status == "future_start" and signed.status_nl == "Startdatum in de toekomst"
    clock.advance(5)
    assert world.mandate(mandate.id).status == "active"


def test_mandate_expires_on_its_end_date_without_any_job(world, clock):
    mandate = active_mandate(world, ORG_A, ORG_B, end=world.today() + timedelta(days=3))
    clock.advance(2)
    assert world.mandate(mandate.id).status == "active"
    clock.advance(1)
    assert world.mandate(mandate.id).status_nl == "Vervallen"


def test_second_active_mandate_is_a_conflict_naming_the_existing_one(world):
    first = active_mandate(world, ORG_A, ORG_B)
    with pytest.raises(Conflict) as caught:
        create(world, admin(ORG_B), ORG_A, role="taker")
    assert caught.value.existing_id == first.id and str(first.id) in caught.value.message_nl
    assert count(world) == 1


def test_signing_a_second_one_is_a_conflict_and_stopping_resolves_it(world):
    (one,) = create(world, admin(ORG_A), ORG_B)
    (two,) = create(world, admin(ORG_A), ORG_B)  # both awaiting: allowed
    world.sign(admin(ORG_B), one.id, accept_contract=True)
    with pytest.raises(Conflict, match=str(one.id)):
        world.sign(admin(ORG_B), two.id, accept_contract=True)
    assert world.mandate(two.id).status == "awaiting_signature"
    world.stop(admin(ORG_A), one.id)
    assert world.sign(admin(ORG_B), two.id, accept_contract=True).status == "active"


def test_other_type_or_other_pair_is_no_conflict(world):
    active_mandate(world, ORG_A, ORG_B)
    assert active_mandate(world, ORG_A, ORG_B, "Test Uniek").status == "active"
    assert active_mandate(world, ORG_A, ORG_C).status == "active"
    assert active_mandate(world, ORG_B, ORG_A).status == "active"


def test_a_successor_starting_after_the_end_is_no_conflict(world):
    end = world.today() + timedelta(days=30)
    active_mandate(world, ORG_A, ORG_B, end=end)
    assert active_mandate(world, ORG_A, ORG_B, start=end).status == "future_start"
    with pytest.raises(Conflict):
        create(world, admin(ORG_A), ORG_B, start=end - timedelta(days=1))


def test_stop_by_either_side_immediately_with_reason(world):
    first = active_mandate(world, ORG_A, ORG_B)
    stopped = world.stop(admin(ORG_B), first.id, reason="Klant vertrokken")
    assert stopped.status == "stopped" and stopped.stop_reason == "Klant vertrokken"
    assert stopped.changed_by == "administrator"
    with pytest.raises(NotAllowed, match="already"):
        world.stop(admin(ORG_A), first.id)


def test_only_giver_or_taker_may_stop(world):
    first = active_mandate(world, ORG_A, ORG_B)
    with pytest.raises(NotAllowed, match="neither giver nor taker"):
        world.stop(admin(ORG_C), first.id)


def test_expired_mandate_cannot_be_signed_or_stopped(world, clock):
    (mandate,) = create(world, admin(ORG_A), ORG_B, end=world.today() + timedelta(days=1))
    clock.advance(1)
    with pytest.raises(NotAllowed):
        world.sign(admin(ORG_B), mandate.id, accept_contract=True)
    with pytest.raises(NotAllowed):
        world.stop(admin(ORG_A), mandate.id)


def test_unknown_mandate_is_refused(world):
    with pytest.raises(UnknownEntity, match="999"):
        world.sign(admin(ORG_A), 999, accept_contract=True)


# --- who may act --------------------------------------------------------------------------


def test_a_person_acts_only_for_themselves(world):
    (mine,) = create(world, Actor(PERSON_P, PERSON_P), ORG_B)  # person -> organisation
    assert mine.giver.number == PERSON_P and mine.changed_by == "giver"
    with pytest.raises(NotAllowed):
        create(world, Actor(PERSON_Q, PERSON_P), ORG_B)


def test_organisation_needs_mandaatbeheerder_in_a_valid_work_relationship(world, clock):
    actor = Actor(PERSON_P, ORG_A)
    with pytest.raises(NotAllowed, match=MANDAATBEHEERDER):
        create(world, actor, ORG_B)
    today = world.today()
    relation = world.add_work_relationship(PERSON_P, ORG_A, today - timedelta(days=10))
    world.grant_right(PERSON_P, ORG_A, MANDAATBEHEERDER, today - timedelta(days=10))
    (mandate,) = create(world, actor, ORG_B)
    assert mandate.changed_by == "giver"
    world.end_work_relationship(relation.id, today + timedelta(days=1))
    clock.advance(1)
    with pytest.raises(NotAllowed):
        world.stop(actor, mandate.id)


def test_legal_representative_may_manage_for_the_enterprise(world):
    world.add_representative(PERSON_Q, ORG_B, "Bestuurder", world.today() - timedelta(days=100))
    (mandate,) = create(world, admin(ORG_A), ORG_B)
    signed = world.sign(Actor(PERSON_Q, ORG_B), mandate.id, accept_contract=True)
    assert signed.status == "active" and signed.changed_by == "taker"


# --- history and transfer -----------------------------------------------------------------


def test_history_tells_what_when_who_for_whom(world, clock):
    world.add_representative(PERSON_Q, ORG_B, "Bestuurder", world.today())
    (mandate,) = create(world, admin(ORG_A), ORG_B, start=world.today() + timedelta(days=2))
    clock.advance(1)
    world.sign(Actor(PERSON_Q, ORG_B), mandate.id, accept_contract=True)
    clock.advance(5)
    world.stop(Actor(PERSON_Q, ORG_B), mandate.id, reason="Einde samenwerking")
    texts = [entry.text_nl for entry in world.history(mandate.id)]
    assert texts == [
        "Aangemaakt door tester (beheerder)",
        "Getekend door An Peeters (BAROCY)",
        "Startdatum in de toekomst",
        "Actief",
        "Stopgezet door An Peeters (BAROCY): Einde samenwerking",
    ]
    signed = world.history(mandate.id)[1]
    assert signed.person == PERSON_Q and signed.party.number == ORG_B and signed.role == "taker"


def test_history_shows_expiry(world, clock):
    mandate = active_mandate(world, ORG_A, ORG_B, end=world.today() + timedelta(days=2))
    clock.advance(3)
    assert world.history(mandate.id)[-1].text_nl == "Vervallen"


def test_transfer_creates_a_mandate_for_the_new_taker_and_signing_stops_the_old(world):
    old = active_mandate(world, ORG_A, ORG_B, reference="R1")
    new = world.transfer(admin(ORG_A), old.id, ORG_C)
    assert (new.taker.number, new.signer, new.transfer_of, new.reference) == (ORG_C, ORG_C, old.id, "R1")
    assert world.mandate(old.id).status == "active"  # until the new taker signs
    with pytest.raises(NotAllowed, match="already awaits transfer"):
        world.transfer(admin(ORG_A), old.id, ORG_C)
    world.sign(admin(ORG_C), new.id, accept_contract=True)
    assert world.mandate(old.id).status == "stopped"
    assert "Overgedragen" in world.mandate(old.id).stop_reason
    assert world.mandate(new.id).status == "active"


def test_transfer_refusals(world):
    old = active_mandate(world, ORG_A, ORG_B)
    with pytest.raises(InvalidInput, match="new taker"):
        world.transfer(admin(ORG_A), old.id, ORG_B)
    with pytest.raises(InvalidInput, match="does not allow"):
        world.transfer(admin(ORG_A), old.id, PERSON_P)
    with pytest.raises(NotAllowed):
        world.transfer(admin(ORG_C), old.id, PERSON_P)
    world.stop(admin(ORG_A), old.id)
    with pytest.raises(NotAllowed, match="only an active"):
        world.transfer(admin(ORG_A), old.id, ORG_C)
