"""scope_for: each of a policy's login kinds reaches the store's Scope, and only its own field."""

from dataclasses import asdict, fields, replace

import pytest

from broker.policy import LoginKinds, Policy
from broker.policy.scope import scope_for
from mandates_store import Scope

POLICY = Policy("https://app.example.be/saml/metadata", frozenset({"WSE Loket", "Kiosk"}))
FLAGS = ["own_name", "work_relationship", "mandate", "legal_representative"]


def test_the_default_policy_gives_the_default_scope_with_its_types():
    assert scope_for(POLICY) == Scope(frozenset({"WSE Loket", "Kiosk"}))


@pytest.mark.parametrize("flag", FLAGS)
@pytest.mark.parametrize("on", [True, False])
def test_each_kind_on_or_off(flag, on):
    others = {name: not on for name in FLAGS if name != flag}
    scope = scope_for(replace(POLICY, login_kinds=LoginKinds(**{flag: on}, **others)))
    assert asdict(scope) == {
        "mandate_types": frozenset({"WSE Loket", "Kiosk"}),
        "member_right": None,
        flag: on,
        **others,
    }


def test_member_right_and_no_types():
    policy = Policy(POLICY.entity_id, frozenset(), LoginKinds(work_relationship=True, member_right="WSE gebruiker"))
    scope = scope_for(policy)
    assert (scope.mandate_types, scope.work_relationship, scope.member_right) == (frozenset(), True, "WSE gebruiker")


def test_these_tests_cover_every_scope_field():
    # a field added to Scope needs its line in scope_for, and its case here
    assert {f.name for f in fields(Scope)} == {*FLAGS, "member_right", "mandate_types"}
