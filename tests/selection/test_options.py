"""options_for and claims_for on their own: a fake store hands out LoginOptions, no database."""

from datetime import date

from broker.policy import LoginKinds, Policy
from broker.selection.options import claims_for, option_for, options_for
from mandates_store import (
    LEGAL_REPRESENTATIVE,
    MANDATE,
    OWN_NAME,
    WORK_RELATIONSHIP,
    LoginOption,
    Party,
    Scope,
)

TODAY = date(2025, 3, 10)
ME = Party("88012226557", "person", "Lotte Verbeke")
FIRM = Party("0806154033", "organisation", "BAROCY")
GIVER = Party("0411515075", "organisation", "Emmaüs")
POLICY = Policy("https://app.example.be/saml/metadata", frozenset({"WSE Loket"}))
PERSON = "urn:be:fgov:person:ssin"
ORGANISATION = "urn:be:fgov:kbo-bce:organization:cbe-number"


def own(me: Party = ME) -> LoginOption:
    return LoginOption(OWN_NAME, me, me, None, None, None, None, None, "own name", "own")


def work(org: Party = FIRM) -> LoginOption:
    return LoginOption(WORK_RELATIONSHIP, ME, org, None, None, None, None, None, "works there", f"work:{org.number}")


def representative(org: Party = FIRM) -> LoginOption:
    return LoginOption(LEGAL_REPRESENTATIVE, ME, org, None, None, None, None, None, "KBO", f"rep:{org.number}")


def mandate(taker: Party = FIRM, start=date(2025, 1, 1), end=date(2026, 1, 1), mandate_id=5710246) -> LoginOption:
    return LoginOption(
        MANDATE, ME, GIVER, taker, mandate_id, "WSE Loket", start, end, "mandate", f"mandate:{mandate_id}"
    )


class FakeStore:
    """Returns the options it was given and remembers how it was asked."""

    def __init__(self, options: list[LoginOption]) -> None:
        self.options, self.asked = options, []

    def login_options(self, **asked) -> list[LoginOption]:
        self.asked.append(asked)
        return list(self.options)

    def login_option(self, **asked) -> LoginOption | None:
        self.asked.append(asked)
        return next((o for o in self.options if o.key == asked["key"]), None)


def test_own_name_comes_first_and_the_rest_keeps_the_stores_order():
    store = FakeStore([mandate(), work(GIVER), own(), representative()])
    found = options_for(store, ME.number, ME.name, TODAY, POLICY)
    assert [o.key for o in found] == ["own", "mandate:5710246", f"work:{GIVER.number}", f"rep:{FIRM.number}"]


def test_the_store_is_asked_with_the_policys_scope_and_the_authenticators_name():
    store = FakeStore([own()])
    options_for(store, ME.number, "Lotte Verbeke-Upstream", TODAY, POLICY)
    (asked,) = store.asked
    assert asked == {
        "person": ME.number,
        "at": TODAY,
        "scope": Scope(frozenset({"WSE Loket"})),
        "name": "Lotte Verbeke-Upstream",
    }


def test_the_chosen_option_is_asked_by_its_key_with_the_same_scope_and_name():
    store = FakeStore([own(), mandate()])
    assert option_for(store, ME.number, "Lotte V.", TODAY, POLICY, "mandate:5710246") == mandate()
    assert option_for(store, ME.number, "Lotte V.", TODAY, POLICY, "mandate:1") is None
    assert store.asked[0] == {
        "person": ME.number,
        "at": TODAY,
        "scope": Scope(frozenset({"WSE Loket"})),
        "key": "mandate:5710246",
        "name": "Lotte V.",
    }


def test_no_own_name_option_is_invented_when_the_store_gives_none():
    # the store builds the own-name option (when the scope allows it); options_for adds nothing
    policy = Policy(POLICY.entity_id, POLICY.mandate_types, LoginKinds(own_name=False))
    assert options_for(FakeStore([]), ME.number, ME.name, TODAY, policy) == []
    assert options_for(FakeStore([mandate()]), ME.number, ME.name, TODAY, policy) == [mandate()]


def test_a_person_unknown_to_the_store_keeps_the_name_the_store_was_given():
    stranger = Party("75010112371", "person", "Nora Nieuwkomer")
    found = options_for(FakeStore([own(stranger)]), stranger.number, stranger.name, TODAY, POLICY)
    assert claims_for(found[0], stranger.name)["LegalSubjectName"] == "Nora Nieuwkomer"


def test_claims_for_own_name():
    assert claims_for(own(), "Lotte Verbeke") == {
        "ActingSubjectID": ME.number,
        "ActingSubjectIDType": PERSON,
        "ActingSubjectName": "Lotte Verbeke",
        "LegalSubjectID": ME.number,
        "LegalSubjectIDType": PERSON,
        "LegalSubjectKind": "person",
        "LegalSubjectName": "Lotte Verbeke",
        "LoginKind": "own_name",
    }


def test_claims_for_work_relationship_and_legal_representative():
    for option, kind in ((work(), "work_relationship"), (representative(), "legal_representative")):
        claims = claims_for(option, ME.name)
        assert claims["LoginKind"] == kind
        assert (claims["LegalSubjectID"], claims["LegalSubjectIDType"]) == (FIRM.number, ORGANISATION)
        assert (claims["LegalSubjectKind"], claims["LegalSubjectName"]) == ("organisation", "BAROCY")
        assert not {key for key in claims if key.startswith(("Mandate", "Intermediate"))}


def test_claims_for_a_mandate_through_an_organisation():
    claims = claims_for(mandate(), ME.name)
    assert claims["LoginKind"] == "mandate"
    assert (claims["LegalSubjectID"], claims["LegalSubjectName"]) == (GIVER.number, "Emmaüs")
    assert claims["IntermediateSubjectID"] == FIRM.number
    assert claims["IntermediateSubjectIDType"] == ORGANISATION
    assert claims["IntermediateSubjectName"] == "BAROCY"
    assert (claims["MandateID"], claims["MandateType"]) == ("5710246", "WSE Loket")
    assert claims["MandateValidFrom"] == "2025-01-01"


def test_claims_for_a_mandate_the_person_took_in_own_name():
    claims = claims_for(mandate(taker=ME), ME.name)
    assert claims["IntermediateSubjectID"] == ME.number
    assert claims["IntermediateSubjectIDType"] == PERSON


def test_mandate_valid_until_is_the_last_valid_day():
    # the store's end date is exclusive: a mandate ending on 2026-01-01 holds through 2025-12-31
    assert claims_for(mandate(end=date(2026, 1, 1)), ME.name)["MandateValidUntil"] == "2025-12-31"
    assert claims_for(mandate(end=date(2025, 3, 1)), ME.name)["MandateValidUntil"] == "2025-02-28"
    assert "MandateValidUntil" not in claims_for(mandate(end=None), ME.name)  # indefinite


def test_no_attribute_is_empty():
    nameless = Party("75010112371", "person", "")
    claims = claims_for(own(nameless), "")
    assert "ActingSubjectName" not in claims and "LegalSubjectName" not in claims
    assert claims["LegalSubjectID"] == nameless.number
    claims = claims_for(mandate(taker=Party(FIRM.number, "organisation", ""))._replace(mandate_type=""), ME.name)
    assert "IntermediateSubjectName" not in claims and "MandateType" not in claims
    for option in (own(), work(), representative(), mandate(), own(nameless)):
        assert all(claims_for(option, "").values())
