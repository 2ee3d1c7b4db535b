"""Parsing untrusted XML: size caps, no DTD, no entities, no comments, unique IDs."""

import re
import zlib

from lxml import etree

from broker.saml.errors import SamlError

MAX_MESSAGE_BYTES = 200_000
MAX_INFLATED_BYTES = 200_000

_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
    collect_ids=False,
)
ID_ATTRIBUTES = ("ID", "Id", "id")
# every ID attribute value of an element and its descendants, in C: a Python walk over the elements
# cost ~60 µs per Response, three times per login (here, and before each signature check)
_ID_VALUES = etree.XPath(" | ".join(f"descendant-or-self::*/@{name}" for name in ID_ATTRIBUTES), smart_strings=False)


def inflate(data: bytes, cap: int = MAX_INFLATED_BYTES) -> bytes:
    """Raw DEFLATE (the Redirect binding) with a cap, so a deflate bomb costs nothing."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error as exc:
        raise SamlError("The SAML message is not validly compressed.", str(exc)) from None
    if len(out) > cap or inflater.unconsumed_tail:
        raise SamlError("The SAML message is too large.", f"inflates beyond {cap} bytes")
    if not inflater.eof:
        raise SamlError("The SAML message is not validly compressed.", "truncated deflate stream")
    return out


def parse(data: bytes, limit: int = MAX_MESSAGE_BYTES, allow_comments: bool = False) -> etree._Element:
    """Parse one SAML message, refusing anything a SAML message never needs.

    Comments are refused in messages: a comment inside a signed value splits its text, and a
    reader that takes the first text node would read another identity than the one signed.
    """
    if len(data) > limit:
        raise SamlError("The SAML message is too large.", f"{len(data)} bytes, limit {limit}")
    if b"<!" in data and _DTD_MARKERS.search(data):  # every marker starts with "<!"
        raise SamlError("The SAML message contains a document type declaration.")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SamlError("The SAML message is not well-formed XML.", str(exc)) from None
    if root.getroottree().docinfo.doctype:
        raise SamlError("The SAML message contains a document type declaration.")
    odd = (
        (etree.ProcessingInstruction, etree.Entity)
        if allow_comments
        else (etree.Comment, etree.ProcessingInstruction, etree.Entity)
    )
    for node in root.iter(*odd):
        raise SamlError("The SAML message contains a comment or processing instruction.", repr(node))
    check_unique_ids(root)
    return root


def check_unique_ids(root: etree._Element) -> None:
    """Two elements with one ID let a signature cover one and the reader use the other."""
    values = _ID_VALUES(root)
    if len(set(values)) == len(values):
        return
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise SamlError("The SAML message carries two elements with one ID.", value)
        seen.add(value)


def children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """parent.findall(tag) for one qualified tag (the direct children so named), by lxml's C
    iteration instead of ElementPath's Python-level path machinery (about half the CPU)."""
    return list(parent.iterchildren(tag))


def child(parent: etree._Element, tag: str) -> etree._Element | None:
    """parent.find(tag) for one qualified tag: the first direct child so named."""
    return next(parent.iterchildren(tag), None)


def text_of(element: etree._Element | None) -> str | None:
    """The whole text of a simple element, refusing mixed content."""
    if element is None:
        return None
    if len(element):
        raise SamlError("A SAML value holds unexpected child elements.", element.tag)
    return (element.text or "").strip()
