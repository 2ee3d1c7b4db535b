"""Building and reading the common parts of SAML protocol messages."""

from datetime import UTC, datetime, timedelta

from lxml import etree

from broker.saml import ns
from broker.saml.errors import SamlError
from broker.saml.state_ids import new_message_id
from broker.saml.timefmt import format_instant, parse_instant
from broker.saml.xmlsafe import child, children, text_of


def now() -> datetime:
    return datetime.now(UTC)


def element(prefix: str, local: str, parent: etree._Element | None = None, text: str | None = None, **attrs):
    tag = ns.q(prefix, local)
    node = etree.Element(tag, nsmap={prefix: ns.NSMAP[prefix]}) if parent is None else etree.SubElement(parent, tag)
    for name, value in attrs.items():
        if value is not None:
            node.set(name, value)
    if text is not None:
        node.text = text
    return node


def protocol_message(local: str, issuer: str, destination: str | None, in_response_to: str | None = None, **attrs):
    """A samlp message with ID, Version, IssueInstant and Issuer."""
    root = etree.Element(ns.q("samlp", local), nsmap={"samlp": ns.SAMLP, "saml": ns.SAML})
    root.set("ID", new_message_id())
    root.set("Version", "2.0")
    root.set("IssueInstant", format_instant(now()))
    if destination:
        root.set("Destination", destination)
    if in_response_to:
        root.set("InResponseTo", in_response_to)
    for name, value in attrs.items():
        if value is not None:
            root.set(name, value)
    element("saml", "Issuer", root, issuer)
    return root


def id_of(message: etree._Element) -> str:
    """The ID of a message the broker built, to match the answer it will get."""
    return message.get("ID")


def add_status(root: etree._Element, code: str, second_level: str | None = None, message: str | None = None):
    status = element("samlp", "Status", root)
    top = element("samlp", "StatusCode", status, Value=code)
    if second_level:
        element("samlp", "StatusCode", top, Value=second_level)
    if message:
        element("samlp", "StatusMessage", status, message)
    return status


def expect(root: etree._Element, local: str) -> None:
    if root.tag != ns.q("samlp", local):
        raise SamlError(f"Expected a SAML {local}.", root.tag)
    if root.get("Version") != "2.0":
        raise SamlError("Only SAML 2.0 is supported.", str(root.get("Version")))
    if not root.get("ID"):
        raise SamlError("The SAML message has no ID.")


def issuer_of(root: etree._Element) -> str | None:
    issuers = children(root, ns.q("saml", "Issuer"))
    if len(issuers) > 1:
        raise SamlError("The SAML message names more than one issuer.")
    if not issuers:
        return None
    fmt = issuers[0].get("Format")
    if fmt not in (None, ns.NAMEID_ENTITY):
        raise SamlError("The SAML message's issuer is not an entity.", fmt)
    return text_of(issuers[0])


def check_fresh(root: etree._Element, max_age: int, skew: int) -> datetime:
    """IssueInstant neither older than max_age nor in the future (beyond the clock skew)."""
    issued = parse_instant(root.get("IssueInstant"), "IssueInstant")
    current = now()
    if issued > current + timedelta(seconds=skew):
        raise SamlError("The SAML message was issued in the future.", root.get("IssueInstant"))
    if issued < current - timedelta(seconds=max_age + skew):
        raise SamlError("The SAML message is too old.", root.get("IssueInstant"))
    return issued


def status_codes(root: etree._Element) -> list[str]:
    status = child(root, ns.q("samlp", "Status"))
    if status is None:
        raise SamlError("The SAML response has no status.")
    codes = []
    code = child(status, ns.q("samlp", "StatusCode"))
    while code is not None:
        codes.append(code.get("Value", ""))
        code = child(code, ns.q("samlp", "StatusCode"))
    return codes


def check_success(root: etree._Element) -> None:
    codes = status_codes(root)
    if not codes or any(c != ns.STATUS_SUCCESS for c in codes):
        raise SamlError("The sign-in did not succeed.", " / ".join(codes))
