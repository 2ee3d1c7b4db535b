"""Attacks on the XML layer: comments that split a signed value, DTDs and entities, size and
compression bombs, weak algorithms. All refused before any identity is read."""

import base64
import zlib

import pytest
import xmlsec
from lxml import etree

from broker.saml import crypto, xmlsafe
from tests.security.forge import (
    SSO,
    assert_refused,
    assertion,
    genuine,
    post_acs,
    q,
    response,
    start_login,
    upstream_key,
)


def test_comment_inside_signed_values_is_refused(browser, parties, demo):
    """Exclusive c14n drops comments, so the signature still verifies; a reader taking the first text
    node would read '790315' instead of the signed number."""
    request_id = start_login(browser)
    xml = etree.tostring(genuine(demo, request_id))
    forged = xml.replace(b">79031510459<", b">790315<!---->10459<").replace(
        b">demo-79031510459<", b">demo-<!---->79031510459<"
    )
    assert forged.count(b"<!---->") == 2
    with_comments = etree.fromstring(forged)
    crypto.verify_enveloped(with_comments.find(q("saml", "Assertion")), [upstream_key(demo).key])  # still "valid"
    page = post_acs(browser, forged)
    assert_refused(page, parties, browser, "The SAML message contains a comment or processing instruction.")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0">&x;</samlp:Response>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0">&lol4;</samlp:Response>"""


@pytest.mark.parametrize("document", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_doctype_and_entities_are_refused_at_the_acs(browser, parties, document):
    start_login(browser)
    page = post_acs(browser, document)
    assert_refused(page, parties, browser, "The SAML message contains a document type declaration.")


def test_doctype_hidden_in_utf16_is_refused(browser, parties):
    start_login(browser)
    page = post_acs(
        browser, LAUGHS.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"').decode().encode("utf-16")
    )
    assert_refused(page, parties, browser)
    assert "Traceback" not in page.text


def test_entity_reference_in_a_genuine_answer_is_refused(browser, parties, demo):
    request_id = start_login(browser)
    xml = etree.tostring(genuine(demo, request_id)).replace(b">79031510459<", b">&lol;<")
    page = post_acs(browser, xml)
    assert_refused(page, parties, browser, "The SAML message is not well-formed XML.")


def test_oversized_answer_is_refused_unread(browser, parties, demo):
    request_id = start_login(browser)
    root = genuine(demo, request_id)
    root.find(q("saml", "Issuer")).tail = " " * (xmlsafe.MAX_MESSAGE_BYTES + 1)
    page = post_acs(browser, root)
    assert_refused(page, parties, browser, "The SAML message is too large.")


def test_posted_answer_is_never_inflated(browser, parties, demo):
    request_id = start_login(browser)
    deflated = zlib.compress(etree.tostring(genuine(demo, request_id)))[2:-4]
    page = post_acs(browser, deflated)
    assert_refused(page, parties, browser, "The SAML message is not well-formed XML.")


def _deflate(data: bytes) -> str:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(data) + compressor.flush()).decode()


def test_deflate_bomb_at_the_sso_endpoint_is_refused(browser, parties):
    bomb = _deflate(b"<samlp:AuthnRequest " + b" " * 50_000_000 + b"/>")
    assert len(bomb) < 100_000
    page = browser.go("GET", SSO + "?SAMLRequest=" + bomb.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"))
    assert_refused(page, parties, browser, "The SAML message is too large.")


def test_oversized_request_at_the_sso_endpoint_is_refused(browser, parties):
    page = browser.go("POST", SSO, {"SAMLRequest": "A" * 500_000})
    assert_refused(page, parties, browser, "The SAML message is too large.")


def _sign_sha1(element, signing_key, signature_method, digest_method):
    signature = xmlsec.template.create(element, xmlsec.constants.TransformExclC14N, signature_method, ns="ds")
    reference = xmlsec.template.add_reference(signature, digest_method, uri="#" + element.get("ID"))
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformExclC14N)
    element.find(q("saml", "Issuer")).addnext(signature)
    context = xmlsec.SignatureContext()
    context.key = signing_key.key
    context.register_id(element, "ID")
    context.sign(signature)
    return element


@pytest.mark.parametrize(
    "method,digest",
    [
        (xmlsec.constants.TransformRsaSha1, xmlsec.constants.TransformSha1),
        (xmlsec.constants.TransformRsaSha256, xmlsec.constants.TransformSha1),
        (xmlsec.constants.TransformRsaSha1, xmlsec.constants.TransformSha256),
    ],
    ids=["rsa-sha1", "sha1-digest", "sha1-method"],
)
def test_sha1_signature_is_refused(browser, parties, demo, method, digest):
    request_id = start_login(browser)
    root = response(request_id, _sign_sha1(assertion(request_id), upstream_key(demo), method, digest))
    page = post_acs(browser, root)
    assert_refused(page, parties, browser, "The SAML signature uses a weak or unknown algorithm.")
