"""xmlsafe's refusals, pinned where their implementation changed for speed (the ID check in C,
the document type scan only where "<!" occurs)."""

import pytest
from lxml import etree

from broker.saml.errors import SamlError
from broker.saml.xmlsafe import check_unique_ids, child, children, parse

WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


@pytest.mark.parametrize(
    "document",
    [
        b'<r ID="a"><s ID="a"/></r>',  # one attribute name twice
        b'<r><s ID="a"/><t><u Id="a"/></t></r>',  # two names, one value
        b'<r><s ID="a" id="a"/></r>',  # one element, two names
        b'<r><s Id="b"/><s Id="c"/><s id="b"/></r>',
    ],
)
def test_two_elements_with_one_id_are_refused(document):
    with pytest.raises(SamlError, match="two elements with one ID"):
        parse(document)


def test_distinct_ids_and_other_attributes_pass():
    root = parse(b'<r ID="a"><s Id="b" ref="a"/><t id="c" IDX="a" iD="a"/></r>')
    assert root.tag == "r"


def test_an_id_in_a_namespace_is_not_one_of_the_message_s_ids():
    """As before the change: only the unqualified ID, Id and id attributes are IDs here."""
    parse(f'<r xmlns:wsu="{WSU}" ID="a"><s wsu:Id="a"/></r>'.encode())


def test_a_subtree_is_checked_on_its_own():
    root = etree.fromstring(b'<r ID="a"><s ID="b"><t ID="b"/></s><u ID="a"/></r>')
    check_unique_ids(root[1])  # <u> alone
    with pytest.raises(SamlError, match="two elements with one ID"):
        check_unique_ids(root[0])


@pytest.mark.parametrize(
    "document",
    [
        b'<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>',
        b'<?xml version="1.0"?>\n<! DOCTYPE r><r/>',
        b"<r><!-- c --></r>",
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r><r/>'.encode("utf-16"),
    ],
)
def test_document_types_and_comments_are_refused(document):
    with pytest.raises(SamlError):
        parse(document)


def test_child_and_children_are_find_and_findall_for_one_tag():
    """Direct children only, in document order, never a namesake deeper down or in another namespace."""
    root = etree.fromstring(
        b'<r xmlns="urn:a" xmlns:b="urn:b"><x n="1"><x n="deep"/></x><b:x n="other"/><y/><x n="2"/><!--c--></r>'
    )
    for tag in ("{urn:a}x", "{urn:b}x", "{urn:a}y", "{urn:a}z"):
        assert children(root, tag) == root.findall(tag)
        assert child(root, tag) is root.find(tag) or child(root, tag) == root.find(tag)
    assert [e.get("n") for e in children(root, "{urn:a}x")] == ["1", "2"]
    assert child(root, "{urn:a}z") is None
