"""Attack material: upstream answers built and signed by the tests themselves, and the steps of a
login up to the point where the broker waits for the upstream authenticator's answer."""

import base64
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from broker.saml import crypto, ns
from broker.saml.keys import load_signing_key
from broker.saml.state_ids import new_message_id
from broker.saml.timefmt import format_instant
from broker.web.i18n import CATALOGUES
from tests.conftest import APP, BROKER, UPSTREAM

ACS = BROKER + "/saml/sp/acs"
SSO = BROKER + "/saml/idp/sso"
SP_ENTITY = BROKER + "/saml/sp/metadata"
UPSTREAM_ENTITY = UPSTREAM + "/metadata"
SSIN = "urn:be:fgov:person:ssin"
PERSON = "79031510459"  # An Peeters: own name only, so an accepted answer goes straight to the application
OTHER = "88012226557"


def q(prefix, local):
    return ns.q(prefix, local)


def sub(parent, prefix, local, text=None, **attrs):
    node = etree.SubElement(parent, q(prefix, local), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        node.text = text
    return node


def instant(delta_seconds: float = 0) -> str:
    return format_instant(datetime.now(UTC) + timedelta(seconds=delta_seconds))


def upstream_key(demo):
    return load_signing_key(demo.upstream["key"], demo.upstream["cert"])


def assertion(
    request_id,
    person=PERSON,
    *,
    issuer=UPSTREAM_ENTITY,
    recipient=ACS,
    audience=SP_ENTITY,
    not_before=-30,
    not_on_or_after=300,
    confirmation_until=300,
    method=ns.CM_BEARER,
    subject_in_response_to=None,
    assertion_id=None,
    name_id=None,
):
    """A plain upstream Assertion for `person`; offsets are seconds from now."""
    node = etree.Element(
        q("saml", "Assertion"),
        nsmap={"saml": ns.SAML},
        ID=assertion_id or new_message_id(),
        Version="2.0",
        IssueInstant=instant(),
    )
    sub(node, "saml", "Issuer", issuer)
    subject = sub(node, "saml", "Subject")
    sub(
        subject,
        "saml",
        "NameID",
        name_id or "demo-" + person,
        Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    )
    confirmation = sub(subject, "saml", "SubjectConfirmation", Method=method)
    sub(
        confirmation,
        "saml",
        "SubjectConfirmationData",
        Recipient=recipient,
        InResponseTo=subject_in_response_to or request_id,
        NotOnOrAfter=instant(confirmation_until),
    )
    conditions = sub(node, "saml", "Conditions", NotBefore=instant(not_before), NotOnOrAfter=instant(not_on_or_after))
    if audience is not None:
        sub(sub(conditions, "saml", "AudienceRestriction"), "saml", "Audience", audience)
    statement = sub(node, "saml", "AuthnStatement", AuthnInstant=instant(), SessionIndex=new_message_id())
    sub(
        sub(statement, "saml", "AuthnContext"),
        "saml",
        "AuthnContextClassRef",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
    )
    attributes = sub(node, "saml", "AttributeStatement")
    for name, value in ((SSIN, person), ("urn:oid:2.5.4.42", "Test"), ("urn:oid:2.5.4.4", "Persoon")):
        sub(sub(attributes, "saml", "Attribute", Name=name), "saml", "AttributeValue", value)
    return node


def response(
    request_id,
    *assertions,
    issuer=UPSTREAM_ENTITY,
    destination=ACS,
    in_response_to=None,
    status=(ns.STATUS_SUCCESS,),
    issue_instant=0,
):
    node = etree.Element(
        q("samlp", "Response"),
        nsmap={"samlp": ns.SAMLP, "saml": ns.SAML},
        ID=new_message_id(),
        Version="2.0",
        IssueInstant=instant(issue_instant),
        Destination=destination,
        InResponseTo=in_response_to or request_id,
    )
    sub(node, "saml", "Issuer", issuer)
    parent = sub(node, "samlp", "Status")
    for code in status:
        parent = sub(parent, "samlp", "StatusCode", Value=code)
    for one in assertions:
        node.append(one)
    return node


def signed(element, key):
    crypto.sign(element, key)
    return element


def genuine(demo, request_id, person=PERSON, sign_response=False, **changes):
    """A correct answer, assertion signed by the upstream's real key (and the response, if asked)."""
    key = upstream_key(demo)
    root = response(request_id, signed(assertion(request_id, person, **changes), key))
    return signed(root, key) if sign_response else root


def b64(root_or_bytes) -> str:
    data = root_or_bytes if isinstance(root_or_bytes, bytes) else etree.tostring(root_or_bytes)
    return base64.b64encode(data).decode("ascii")


def start_login(browser, app=APP) -> str:
    """The application asks, the broker sends the browser upstream: the upstream request's ID."""
    page = browser.get(app + "/login")
    assert page.url.startswith(UPSTREAM + "/sso"), page.url
    raw = parse_qs(urlsplit(page.url).query)["SAMLRequest"][0]
    request = etree.fromstring(zlib.decompress(base64.b64decode(raw), -15))
    return request.get("ID")


def genuine_upstream_post(browser, person=PERSON, app=APP) -> dict:
    """The demo authenticator's (pysaml2) own signed answer, captured before it reaches the broker."""
    page = browser.get(app + "/login")
    form = page.form()
    data = dict(form.form_values(), person=person, means="eid")
    answer = browser.raw("POST", UPSTREAM + "/login", data)
    fields = dict(answer.doc.forms[0].form_values())
    assert "SAMLResponse" in fields, answer.text[:300]
    return fields


def post_acs(browser, root_or_bytes, relay_state=None):
    data = {"SAMLResponse": b64(root_or_bytes)}
    if relay_state is not None:
        data["RelayState"] = relay_state
    return browser.go("POST", ACS, data)


def session_count(parties) -> int:
    return parties["broker"].extensions["state"].conn.execute("SELECT count(*) FROM sessions").fetchone()[0]


def reached_application(browser, app=APP) -> bool:
    return any(url.startswith(app + "/saml/acs") for _, url in browser.visits)


def assert_refused(page, parties, browser, reason: str | None = None):
    """A clean refusal, no session, no identity at the application: the broker's 4xx page with the
    user-safe reason, or, once the application's request is known (an upstream answer refused at
    /saml/sp/acs), a SAML error Response that the application shows as refused, the reason audited."""
    assert "Traceback" not in page.text
    if reached_application(browser):
        assert (page.url, page.status) == (APP + "/saml/acs", 403), (page.url, page.status, page.text[:500])
        assert "Aanmelden geweigerd" in page.text and "Statuscode" in page.text
        assert session_count(parties) == 0
        refusal = parties["broker"].extensions["audit"].entries()[-1]
        assert refusal.outcome == "refused" and reason in (None, refusal.reason), (reason, refusal.reason)
        return
    assert 400 <= page.status < 500, (page.status, page.text[:500])
    if reason is not None:
        shown = " ".join(p.text_content() for p in page.doc.xpath("//*[@class='reason']"))
        assert shown in (reason, CATALOGUES["nl"].get(reason, reason)), (reason, shown)
    assert session_count(parties) == 0
    assert not reached_application(browser)
