"""A policy's login kinds and mandate types as the store's Scope: the one question the store answers."""

from dataclasses import fields

from broker.policy.model import Policy
from mandates_store import Scope


def scope_for(policy: Policy) -> Scope:
    kinds = policy.login_kinds  # a flat dataclass: asdict's deep copy costs more than the whole store query
    return Scope(
        mandate_types=frozenset(policy.mandate_types), **{f.name: getattr(kinds, f.name) for f in fields(kinds)}
    )
