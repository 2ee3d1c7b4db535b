"""A policy's login kinds and mandate types as the store's Scope: the one question the store answers."""

from dataclasses import asdict

from mandates_store import Scope

from broker.policy.model import Policy


def scope_for(policy: Policy) -> Scope:
    return Scope(mandate_types=frozenset(policy.mandate_types), **asdict(policy.login_kinds))
