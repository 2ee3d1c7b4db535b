"""Identifiers for SAML messages: random, unguessable, valid xs:ID."""

import secrets


def new_message_id() -> str:
    return "_" + secrets.token_hex(20)
