from dataclasses import replace
from datetime import timedelta

from mandates_store import MANDAATUITVOERDER, Scope
from mandates_store.demo_data import (
    BALOISE,
    BAROCY,
    COLRUYT,
    DEMO_SCOPE,
    PARKWIND,
    PERSON_EXECUTOR,
    PERSON_NO_OPTION,
    PERSON_OWN_NAME_ONLY,
    PERSON_REPRESENTATIVE,
)
from tests.store.conftest import ORG_A, ORG_B, ORG_C, PERSON_P, PERSON_Q, active_mandate, admin


def explain(store, person, scope=DEMO_SCOPE, at=None):
    return store.explain_missing(person=person, at=at or store.now(), scope=scope)


def conditions(found):
    return [(m.subject, m.condition) for m in found]


def test_nothing_to_explain_without_links(world):
    assert explain(world, PERSON_Q) == []
    (own,) = explain(world, PERSON_Q, replace(DEMO_SCOPE, own_name=False))
    assert own.condition == "own_name_not_allowed" and "eigen naam" in own.text_nl


def test_a_mandate_the_person_gave_has_its_line(demo):
    (given,) = explain(demo, PERSON_OWN_NAME_ONLY)  # An Peeters gave Noor De Smet a Kiosk mandate
    assert (given.subject, given.condition, given.mandate_type) == ("mandate", "person_is_giver", "Kiosk")
    assert "Noor De Smet" in given.text_en and "you gave it" in given.text_en
    assert "Noor De Smet" in given.text_nl and "jij gaf het" in given.text_nl


def test_every_mandate_of_a_represented_enterprise_has_its_line_whatever_its_type(world):
    kiosk = active_mandate(world, ORG_A, PERSON_P, "Kiosk")  # taken by the person: any type, as before
    org_org = active_mandate(world, ORG_A, ORG_B, "Test ORG-ORG")
    world.add_representative(PERSON_Q, ORG_B, "Bestuurder", world.today())
    scope = Scope(frozenset({"WSE Loket"}), legal_representative=True)
    found = {m.mandate_id: m for m in explain(world, PERSON_Q, scope) if m.mandate_id}
    assert found[org_org.id].condition == "type_not_in_scope"  # a type the application does not use
    assert kiosk.id not in found  # not the representative's: Lotte's own
    assert found[org_org.id].organisation.number == ORG_B


def test_every_right_has_its_line(world):
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, "SSM Mandaatbeheerder", world.today())
    world.grant_right(PERSON_P, ORG_B, "Kiosk gebruiker", world.today())
    world.grant_right(PERSON_P, ORG_B, "Loket gebruiker", world.today() + timedelta(days=5))
    scope = Scope(frozenset(), work_relationship=True, member_right="Loket gebruiker")
    found = explain(world, PERSON_P, scope)
    assert conditions(found) == [
        ("work_relationship", "member_right_missing"),
        ("right", "right_gives_no_login"),
        ("right", "right_not_asked"),
        ("right", "member_right_not_valid"),
    ]
    assert "starts on" in found[3].text_en and all(m.organisation.number == ORG_B for m in found)
    world.add_work_relationship(PERSON_P, ORG_C, world.today())
    world.grant_right(PERSON_P, ORG_C, "Loket gebruiker", world.today())
    with_work = explain(world, PERSON_P, scope)
    assert ORG_C not in {m.organisation.number for m in with_work}  # that right gives the option
    (alone,) = [
        m
        for m in explain(world, PERSON_P, replace(scope, work_relationship=False))
        if m.organisation.number == ORG_C and m.subject == "right"
    ]
    assert alone.condition == "right_not_asked"


def test_d_every_link_says_why(demo):
    found = explain(demo, PERSON_NO_OPTION)
    assert conditions(found) == [
        ("work_relationship", "work_relationship_not_valid"),
        ("right", "right_not_valid"),
        ("mandate", "type_not_in_scope"),
    ]
    assert all(m.text_en and m.text_nl for m in found)
    assert found[0].organisation.number == PARKWIND and "ended" in found[0].text_en


def test_executor_sees_inactive_mandates_of_the_firm(demo):
    found = {m.represented.number: m for m in explain(demo, PERSON_EXECUTOR) if m.mandate_id}
    assert found[BALOISE].condition == "mandate_not_active"
    assert "Wacht op ondertekening" in found[BALOISE].text_nl


def test_legal_representative_not_allowed_is_explained(demo):
    found = conditions(explain(demo, PERSON_REPRESENTATIVE))
    assert ("legal_representative", "legal_representative_not_allowed") in found
    assert ("mandate", "legal_representative_not_allowed") in found


def test_right_with_type_out_of_scope_names_no_giver(world):
    active_mandate(world, ORG_A, ORG_B)
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["Test Uniek"])
    found = explain(world, PERSON_P, Scope(frozenset({"WSE Loket"}), work_relationship=True))
    assert conditions(found) == [("right", "right_type_not_in_scope")]
    assert "Emmaüs" not in found[0].text_en and "Emmaüs" not in found[0].text_nl


def test_givers_outside_a_narrowed_right_are_never_revealed(world):
    active_mandate(world, ORG_A, ORG_B)
    from_c = active_mandate(world, ORG_C, ORG_B)
    world.stop(admin(ORG_C), from_c.id)
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket"], givers=[ORG_A])
    found = explain(world, PERSON_P, Scope(frozenset({"WSE Loket"})))
    text = " ".join(m.text_en + m.text_nl for m in found)
    assert "BALOISE" not in text
    assert all(m.represented is None or m.represented.number != ORG_C for m in found)


def test_firm_without_active_mandate_is_explained_on_the_right(world):
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    world.grant_right(PERSON_P, ORG_B, MANDAATUITVOERDER, world.today(), mandate_types=["WSE Loket"])
    scope = Scope(frozenset({"WSE Loket"}), work_relationship=True)
    assert conditions(explain(world, PERSON_P, scope)) == [("right", "no_active_mandate")]


def test_member_right_missing_is_explained(world):
    world.add_work_relationship(PERSON_P, ORG_B, world.today())
    scope = Scope(frozenset(), work_relationship=True, member_right="Loket gebruiker")
    (missing,) = explain(world, PERSON_P, scope)
    assert missing.condition == "member_right_missing" and "Loket gebruiker" in missing.text_en


def test_work_relationship_not_allowed_and_future_start(world):
    world.add_work_relationship(PERSON_P, ORG_B, world.today() + timedelta(days=3))
    (later,) = explain(world, PERSON_P, Scope(frozenset(), work_relationship=True))
    assert later.condition == "work_relationship_not_valid" and "starts on" in later.text_en
    (off,) = explain(world, PERSON_P, Scope(frozenset()))
    assert off.condition == "work_relationship_not_allowed"


def test_mandates_disabled_is_explained(demo):
    found = conditions(explain(demo, PERSON_EXECUTOR, replace(DEMO_SCOPE, mandate=False)))
    assert ("right", "mandates_not_allowed") in found
    assert ("mandate", "mandates_not_allowed") in found


def test_an_option_that_exists_is_not_explained(demo):
    found = explain(demo, PERSON_EXECUTOR)
    given = {o.mandate_id for o in demo.login_options(person=PERSON_EXECUTOR, at=demo.now(), scope=DEMO_SCOPE)}
    assert not {m.mandate_id for m in found} & given
    assert COLRUYT not in {m.represented.number for m in found if m.represented}
    assert BAROCY not in {m.organisation.number for m in found if m.subject == "work_relationship" and m.organisation}
