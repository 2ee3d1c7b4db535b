"""A forged answer that carries, hidden inside it, a genuinely signed element from another login
(the attacker's own): the broker must read identity only from the element whose own signature it
verified, so none of these gets anyone in."""

import base64

import pytest
from lxml import etree

from tests.security.forge import (
    OTHER,
    assert_refused,
    assertion,
    genuine_upstream_post,
    post_acs,
    q,
    response,
    signed,
    start_login,
    sub,
    upstream_key,
)


def _other_login(browser, demo):
    """A genuinely signed assertion from a login of the attacker's own (another request)."""
    fields = genuine_upstream_post(browser, person=OTHER)
    return etree.fromstring(base64.b64decode(fields["SAMLResponse"]))


def in_advice(forged, stolen):
    evil = forged.find(q("saml", "Assertion"))
    sub(evil, "saml", "Advice").append(stolen.find(q("saml", "Assertion")))
    return forged


def in_extensions(forged, stolen):
    extensions = etree.Element(q("samlp", "Extensions"))
    forged.find(q("saml", "Issuer")).addnext(extensions)
    extensions.append(stolen)
    return forged


def in_status_detail(forged, stolen):
    sub(forged.find(q("samlp", "Status")), "samlp", "StatusDetail").append(stolen)
    return forged


def as_the_assertion(forged, stolen):
    """The stolen signed assertion as the answer's only assertion: it answers another request."""
    forged.remove(forged.find(q("saml", "Assertion")))
    forged.append(stolen.find(q("saml", "Assertion")))
    return forged


@pytest.mark.parametrize(
    "hide", [in_advice, in_extensions, in_status_detail, as_the_assertion], ids=lambda f: f.__name__
)
def test_genuine_element_from_another_login_does_not_count(browser, parties, demo, hide):
    stolen = _other_login(browser, demo)
    assert stolen.find(q("saml", "Assertion")).find(q("ds", "Signature")) is not None
    request_id = start_login(browser)
    forged = response(request_id, assertion(request_id, OTHER))  # unsigned, names the attacker's victim
    page = post_acs(browser, hide(forged, stolen))
    assert_refused(page, parties, browser)


def test_signed_assertion_of_another_login_is_refused(broker_with, demo):
    """Its signature verifies (it is self-contained), but it answers another browser's request."""
    browser, apps = broker_with(UPSTREAM_SIGNED="either")
    stolen = signed(assertion("_attackers_own_request", OTHER), upstream_key(demo))
    request_id = start_login(browser)
    page = post_acs(browser, response(request_id, stolen))
    assert_refused(page, apps, browser, "The assertion's subject confirmation does not fit this request.")
