"""The mandate broker: a SAML 2.0 identity broker for logging in on behalf of someone else."""

from broker.app import create_app

__all__ = ["create_app"]
