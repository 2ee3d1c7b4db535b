"""A policy's login kinds and mandate types as the store's Scope: the one question the store answers."""

from broker.policy.model import Policy
from mandates_store import Scope


def scope_for(policy: Policy) -> Scope:
    # Field by field on purpose: a policy key and a store field that merely share a name must
    # not start to mean each other (a plain constructor call; it runs on every login).
    kinds = policy.login_kinds
    return Scope(
        mandate_types=frozenset(policy.mandate_types),
        own_name=kinds.own_name,
        work_relationship=kinds.work_relationship,
        member_right=kinds.member_right,
        mandate=kinds.mandate,
        legal_representative=kinds.legal_representative,
    )
