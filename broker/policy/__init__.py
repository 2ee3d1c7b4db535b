"""Per-application policy files: what each application may receive and who may log in to it.

The broker asks a PolicyRegistry for an application's Policy; docs/policy.md documents the files.
"""

from broker.policy.errors import Issue, PolicyError
from broker.policy.loader import load
from broker.policy.model import LoginKinds, Policy, ReleasedAttribute
from broker.policy.registry import PolicyRegistry, ReloadResult

__all__ = [
    "Issue",
    "LoginKinds",
    "Policy",
    "PolicyError",
    "PolicyRegistry",
    "ReleasedAttribute",
    "ReloadResult",
    "load",
]
