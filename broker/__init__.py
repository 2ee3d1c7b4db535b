"""The mandate broker: a SAML 2.0 identity broker for logging in on behalf of someone else."""


def create_app(config=None):
    """The Flask application (imported lazily, so `broker policy check` needs no SAML stack)."""
    from broker.app import create_app as factory

    return factory(config)


__all__ = ["create_app"]
