"""XML Signature Wrapping, XSW1–XSW8 as in Somorovsky et al., "On Breaking SAML" (2012), built the
way SAML Raider builds them: the genuinely signed element stays in the message where a naive
verifier still finds it by ID, and an evil element naming another person is where a naive reader
looks. Each must be refused."""

import copy

import pytest
from lxml import etree

from tests.security.forge import (
    OTHER,
    assert_refused,
    assertion,
    genuine,
    post_acs,
    q,
    response,
    start_login,
    sub,
)


def _evil_assertion(request_id):
    return assertion(request_id, OTHER)  # unsigned, names someone else


def _signed_response(demo, request_id):
    return genuine(demo, request_id, sign_response=True)


def _unsigned(node):
    node = copy.deepcopy(node)
    for signature in node.findall(q("ds", "Signature")):
        node.remove(signature)
    return node


def xsw1(demo, request_id):
    """Response signature: the original response moves into the evil response's Signature."""
    original = _signed_response(demo, request_id)
    evil = response(request_id, _evil_assertion(request_id))
    signature = original.find(q("ds", "Signature"))
    evil.find(q("saml", "Issuer")).addnext(signature)
    signature.append(_unsigned(original))
    return evil


def xsw2(demo, request_id):
    """Response signature: the original response sits before the Signature, detached."""
    original = _signed_response(demo, request_id)
    evil = response(request_id, _evil_assertion(request_id))
    signature = original.find(q("ds", "Signature"))
    evil.find(q("saml", "Issuer")).addnext(signature)
    signature.addprevious(_unsigned(original))
    return evil


def _signed_assertion_response(demo, request_id):
    root = genuine(demo, request_id)
    return root, root.find(q("saml", "Assertion"))


def xsw3(demo, request_id):
    """Assertion signature: an evil assertion placed before the signed one."""
    root, signed = _signed_assertion_response(demo, request_id)
    signed.addprevious(_evil_assertion(request_id))
    return root


def xsw4(demo, request_id):
    """Assertion signature: the signed assertion wrapped inside the evil one."""
    root, signed = _signed_assertion_response(demo, request_id)
    evil = _evil_assertion(request_id)
    signed.addprevious(evil)
    evil.append(signed)
    return root


def xsw5(demo, request_id):
    """Assertion signature: the evil assertion carries the Signature, the original (unsigned copy) goes last."""
    root, signed = _signed_assertion_response(demo, request_id)
    evil = _evil_assertion(request_id)
    evil.find(q("saml", "Issuer")).addnext(signed.find(q("ds", "Signature")))
    signed.addprevious(evil)
    root.remove(signed)
    root.append(signed)
    return root


def xsw6(demo, request_id):
    """Assertion signature: the evil assertion carries the Signature, the original sits inside it."""
    root, signed = _signed_assertion_response(demo, request_id)
    evil = _evil_assertion(request_id)
    signature = signed.find(q("ds", "Signature"))
    evil.find(q("saml", "Issuer")).addnext(signature)
    signed.addprevious(evil)
    root.remove(signed)
    signature.append(signed)
    return root


def xsw7(demo, request_id):
    """Assertion signature: the signed assertion hidden in an Extensions element, the evil one beside it."""
    root, signed = _signed_assertion_response(demo, request_id)
    extensions = etree.Element(q("samlp", "Extensions"))
    root.find(q("saml", "Issuer")).addnext(extensions)
    root.remove(signed)
    extensions.append(signed)
    root.append(_evil_assertion(request_id))
    return root


def xsw8(demo, request_id):
    """Assertion signature: the evil assertion carries the Signature, the original in a ds:Object in it."""
    root, signed = _signed_assertion_response(demo, request_id)
    evil = _evil_assertion(request_id)
    signature = signed.find(q("ds", "Signature"))
    evil.find(q("saml", "Issuer")).addnext(signature)
    signed.addprevious(evil)
    root.remove(signed)
    sub(signature, "ds", "Object").append(signed)
    return root


def _same_id(build):
    """The variant again, with the evil element carrying the signed element's ID (so a lookup by ID finds it)."""

    def built(demo, request_id):
        root = build(demo, request_id)
        evil = root if build in (xsw1, xsw2) else root.find(q("saml", "Assertion"))
        reference = root.find(f".//{q('ds', 'Reference')}")
        evil.set("ID", reference.get("URI")[1:])
        return root

    return built


RESPONSE_VARIANTS = [xsw1, xsw2]
ASSERTION_VARIANTS = [xsw3, xsw4, xsw5, xsw6, xsw7, xsw8]


@pytest.mark.parametrize("same_id", [False, True], ids=["new-id", "same-id"])
@pytest.mark.parametrize("build", RESPONSE_VARIANTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("required", ["response", "either"])
def test_response_signature_wrapping_is_refused(broker_with, demo, build, required, same_id):
    browser, apps = broker_with(UPSTREAM_SIGNED=required)
    request_id = start_login(browser)
    page = post_acs(browser, (_same_id(build) if same_id else build)(demo, request_id))
    assert_refused(page, apps, browser)


@pytest.mark.parametrize("same_id", [False, True], ids=["new-id", "same-id"])
@pytest.mark.parametrize("build", ASSERTION_VARIANTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("required", ["assertion", "either"])
def test_assertion_signature_wrapping_is_refused(broker_with, demo, build, required, same_id):
    browser, apps = broker_with(UPSTREAM_SIGNED=required)
    request_id = start_login(browser)
    page = post_acs(browser, (_same_id(build) if same_id else build)(demo, request_id))
    assert_refused(page, apps, browser)
