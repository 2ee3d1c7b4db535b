"""Per-application policy files: what each application may receive and who may log in to it."""

from broker.policy.model import LoginKinds, Policy, ReleasedAttribute

__all__ = ["LoginKinds", "Policy", "ReleasedAttribute"]
