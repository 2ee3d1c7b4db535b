"""Mandatenbeheer: the self-service web application where mandate givers and takers manage their
mandates. A SAML SP of the broker; it uses the mandates store and never imports the broker."""

from selfservice.app import create_app

__all__ = ["create_app"]
