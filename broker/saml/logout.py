"""Single Logout messages, in both directions and on both sides."""

from dataclasses import dataclass

from lxml import etree

from broker.saml import ns
from broker.saml.bindings import Received
from broker.saml.errors import SamlError
from broker.saml.idp import verify_message_signature
from broker.saml.messages import add_status, check_fresh, element, expect, issuer_of, protocol_message, status_codes
from broker.saml.metadata import Role
from broker.saml.xmlsafe import text_of


@dataclass(frozen=True)
class LogoutRequestIn:
    id: str
    issuer: str
    name_id: str
    session_indexes: tuple[str, ...]
    relay_state: str | None


def receive_logout_request(
    received: Received, issuer: str, role: Role, destination: str, max_age: int, skew: int
) -> LogoutRequestIn:
    """A LogoutRequest must be signed by its sender: an unsigned one would let any page log users out."""
    root = received.root
    expect(root, "LogoutRequest")
    if not verify_message_signature(received, role.signing_keys):
        raise SamlError("A logout request must be signed.")
    check_fresh(root, max_age, skew)
    if root.get("Destination") not in (None, destination):
        raise SamlError("The logout request was meant for another destination.", root.get("Destination"))
    name_id = root.find(ns.q("saml", "NameID"))
    if name_id is None:
        raise SamlError("The logout request names nobody.")
    return LogoutRequestIn(
        id=root.get("ID"),
        issuer=issuer,
        name_id=text_of(name_id) or "",
        session_indexes=tuple(text_of(s) or "" for s in root.findall(ns.q("samlp", "SessionIndex"))),
        relay_state=received.relay_state,
    )


def receive_logout_response(
    received: Received, role: Role, expected_request_id: str | None, max_age: int, skew: int
) -> bool:
    """Check a LogoutResponse; True when the other side reports success."""
    root = received.root
    expect(root, "LogoutResponse")
    verify_message_signature(received, role.signing_keys)
    check_fresh(root, max_age, skew)
    if expected_request_id is None or root.get("InResponseTo") != expected_request_id:
        raise SamlError("The logout answer does not answer the broker's request.", str(root.get("InResponseTo")))
    return status_codes(root)[:1] == [ns.STATUS_SUCCESS]


def build_logout_request(
    issuer: str, destination: str, name_id: str, name_id_format: str | None, session_index: str | None
) -> etree._Element:
    request = protocol_message("LogoutRequest", issuer, destination)
    element("saml", "NameID", request, name_id, Format=name_id_format)
    if session_index:
        element("samlp", "SessionIndex", request, session_index)
    return request


def build_logout_response(issuer: str, destination: str, in_response_to: str, success: bool = True) -> etree._Element:
    response = protocol_message("LogoutResponse", issuer, destination, in_response_to)
    add_status(response, ns.STATUS_SUCCESS if success else ns.STATUS_RESPONDER)
    return response


def is_response(received: Received) -> bool:
    """A LogoutResponse (an answer to the broker's request); anything else is read as a LogoutRequest."""
    return received.root.tag == ns.q("samlp", "LogoutResponse")


def sender(received: Received) -> str:
    issuer = issuer_of(received.root)
    if not issuer:
        raise SamlError("The message does not name its sender.")
    return issuer
