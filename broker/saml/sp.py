"""The side that faces the upstream authenticator: ask it to authenticate, check its answer strictly.

pysaml2 is not trusted here: every condition is checked below, and identity is read only from an
element whose own signature was verified with a key from the upstream's metadata.
"""

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from broker.saml import crypto, ns
from broker.saml.bindings import Received
from broker.saml.errors import SamlError
from broker.saml.keys import load_decryption_key
from broker.saml.messages import check_fresh, element, expect, issuer_of, now, protocol_message, status_codes
from broker.saml.metadata import IdentityProvider, MetadataRegistry
from broker.saml.settings import SamlSettings
from broker.saml.timefmt import parse_instant
from broker.saml.xmlsafe import check_unique_ids, child, children, parse, text_of


def upstream(settings: SamlSettings, metadata: MetadataRegistry) -> IdentityProvider:
    found = metadata.identity_provider(settings.upstream_entity_id)
    if found is None:
        raise SamlError("The upstream authenticator is not configured.", settings.upstream_entity_id)
    return found


@dataclass(frozen=True)
class Scoping:
    """SAML core 3.4.1.5.1: what a proxying IdP passes on: one indirection less, and who asked."""

    proxy_count: int | None = None  # as the upstream may use it: the application's count minus one
    requester_ids: tuple[str, ...] = ()


def build_authn_request(
    settings: SamlSettings,
    idp: IdentityProvider,
    contexts: tuple[str, ...],
    force_authn: bool,
    scoping: Scoping | None = None,
) -> etree._Element:
    request = protocol_message(
        "AuthnRequest",
        settings.sp_entity_id,
        idp.sso_endpoint().location,
        AssertionConsumerServiceURL=settings.acs_url,
        ProtocolBinding=ns.BINDING_POST,
        ForceAuthn="true" if force_authn else None,
    )
    element("samlp", "NameIDPolicy", request, AllowCreate="true")
    if contexts:
        requested = element("samlp", "RequestedAuthnContext", request, Comparison="exact")
        for context in contexts:
            element("saml", "AuthnContextClassRef", requested, context)
    if scoping is not None:  # after RequestedAuthnContext: the schema's order
        count = str(scoping.proxy_count) if scoping.proxy_count is not None else None
        node = element("samlp", "Scoping", request, ProxyCount=count)
        for requester in scoping.requester_ids:
            element("samlp", "RequesterID", node, requester)
    return request


@dataclass(frozen=True)
class UpstreamLogin:
    """Who the upstream authenticator vouches for, read from the verified assertion only."""

    assertion_id: str
    person: str
    name: str
    name_id: str
    name_id_format: str | None
    session_index: str | None
    authn_instant: str
    authn_context: str
    not_on_or_after: datetime
    session_not_on_or_after: datetime | None = None  # the upstream's end of the person's session


# Second-level codes of the upstream that say something true to the application about the person's
# authentication; the others (about the broker's own request: NameIDPolicy, binding, version) do not.
_PASSED_ON = frozenset(
    "urn:oasis:names:tc:SAML:2.0:status:" + code
    for code in (
        "AuthnFailed",
        "NoPassive",
        "RequestDenied",
        "NoAuthnContext",
        "UnknownPrincipal",
        "NoAvailableIDP",
        "NoSupportedIDP",
        "ProxyCountExceeded",
    )
)


class UpstreamFailed(SamlError):
    """The upstream answered with a failure status."""

    def __init__(self, codes: list[str]):
        super().__init__("The sign-in did not succeed.", " / ".join(codes))
        self.codes = tuple(codes)


class ContextNotMet(SamlError):
    """The upstream authenticated the person at a level the application's request does not accept."""

    status = ns.STATUS_NO_AUTHN_CONTEXT

    def __init__(self, context: str):
        super().__init__("The person did not authenticate at the required level.", context)


def status_for_application(error: SamlError) -> str:
    """The second-level status the broker answers the application with when its upstream login
    failed: the upstream's own when it is about the authentication, else AuthnFailed (an answer the
    broker could not accept is an authentication that failed)."""
    if isinstance(error, UpstreamFailed):
        return next((code for code in error.codes[1:] if code in _PASSED_ON), ns.STATUS_AUTHN_FAILED)
    return getattr(error, "status", None) or ns.STATUS_AUTHN_FAILED


def _only(parent: etree._Element, tag: str, what: str, required: bool = True) -> etree._Element | None:
    found = children(parent, tag)
    if len(found) > 1 or (required and not found):
        raise SamlError(f"The sign-in answer must carry exactly one {what}.", f"found {len(found)}")
    return found[0] if found else None


def _signed_and_verified(node: etree._Element, keys) -> bool:
    if crypto.signature_of(node) is None:
        return False
    crypto.verify_enveloped(node, keys)
    return True


def _assertion(response: etree._Element, settings: SamlSettings) -> etree._Element:
    plain = children(response, ns.q("saml", "Assertion"))
    encrypted = children(response, ns.q("saml", "EncryptedAssertion"))
    if len(plain) + len(encrypted) != 1:
        raise SamlError("The sign-in answer must carry exactly one assertion.", f"found {len(plain) + len(encrypted)}")
    if plain:
        return plain[0]
    if not settings.decryption_key_paths:
        raise SamlError("The sign-in answer is encrypted but the broker has no decryption key.")
    decrypted = _decrypted(encrypted[0], settings.decryption_key_paths)
    check_unique_ids(response)
    # Read what was decrypted again from bytes, with the message's scrutiny (no DTD, no comments,
    # unique IDs); also, lxml's find() misses nodes that xmlsec created in memory.
    assertion = parse(etree.tostring(decrypted))
    if assertion.tag != ns.q("saml", "Assertion"):
        raise SamlError("The encrypted content is not an assertion.", assertion.tag)
    return assertion


def _decrypted(wrapper: etree._Element, key_paths: tuple[str, ...]) -> etree._Element:
    """Each of the broker's decryption keys in turn (a rollover holds two), each on a fresh copy."""
    failure = None
    for path in key_paths:
        data = _only(copy.deepcopy(wrapper), ns.q("xenc", "EncryptedData"), "EncryptedData")
        try:
            return crypto.decrypt(data, load_decryption_key(path))
        except SamlError as error:
            failure = error
    raise failure


def in_response_to(received: Received) -> str | None:
    """The request an answer claims to answer, read before anything is checked: to find its flow."""
    return received.root.get("InResponseTo")


def validate_response(
    received: Received,
    settings: SamlSettings,
    idp: IdentityProvider,
    expected_request_id: str,
    required_context: str | None,
) -> UpstreamLogin:
    """required_context: the class refs the broker accepts, space-separated (URIs hold no spaces)."""
    root = received.root
    expect(root, "Response")
    keys = idp.signing_keys
    issuer = issuer_of(root)
    if issuer not in (None, idp.entity_id):
        raise SamlError("The sign-in answer comes from an unexpected issuer.", issuer)
    if root.get("Destination") != settings.acs_url:
        raise SamlError("The sign-in answer was meant for another destination.", str(root.get("Destination")))
    if root.get("InResponseTo") != expected_request_id:
        raise SamlError("The sign-in answer does not answer this browser's request.", str(root.get("InResponseTo")))
    check_fresh(root, settings.request_max_age, settings.clock_skew)
    response_signed = _signed_and_verified(root, keys)
    # SAML profiles 4.1.4.2: a signed Response, or one with an encrypted assertion, names its issuer
    if issuer is None and (response_signed or child(root, ns.q("saml", "EncryptedAssertion")) is not None):
        raise SamlError("The sign-in answer does not name its issuer.")
    codes = status_codes(root)
    if not codes or any(c != ns.STATUS_SUCCESS for c in codes):
        raise UpstreamFailed(codes)
    assertion = _assertion(root, settings)
    assertion_signed = _signed_and_verified(assertion, keys)
    needed = settings.upstream_signed
    if (
        (needed in ("response", "both") and not response_signed)
        or (needed in ("assertion", "both") and not assertion_signed)
        or not (response_signed or assertion_signed)
    ):
        raise SamlError("The sign-in answer is not signed as required.", f"required {needed}")
    return _read_assertion(assertion, settings, idp, expected_request_id, required_context)


def _read_assertion(
    assertion: etree._Element,
    settings: SamlSettings,
    idp: IdentityProvider,
    expected_request_id: str,
    required_context: str | None,
) -> UpstreamLogin:
    if assertion.get("Version") != "2.0" or not assertion.get("ID"):
        raise SamlError("The assertion is not a SAML 2.0 assertion.")
    if issuer_of(assertion) != idp.entity_id:
        raise SamlError("The assertion comes from an unexpected issuer.", str(issuer_of(assertion)))
    current = now()
    skew = timedelta(seconds=settings.clock_skew)

    subject = _only(assertion, ns.q("saml", "Subject"), "Subject")
    name_id = _only(subject, ns.q("saml", "NameID"), "NameID")
    confirmations = [
        c for c in children(subject, ns.q("saml", "SubjectConfirmation")) if c.get("Method") == ns.CM_BEARER
    ]
    if not confirmations:
        raise SamlError("The assertion has no bearer subject confirmation.")
    confirmed = False
    for confirmation in confirmations:
        data = child(confirmation, ns.q("saml", "SubjectConfirmationData"))
        if data is None or data.get("NotBefore") is not None:
            continue
        if data.get("Recipient") != settings.acs_url or data.get("InResponseTo") != expected_request_id:
            continue
        if parse_instant(data.get("NotOnOrAfter"), "NotOnOrAfter") <= current - skew:
            continue
        confirmed = True
    if not confirmed:
        raise SamlError("The assertion's subject confirmation does not fit this request.")

    conditions = _only(assertion, ns.q("saml", "Conditions"), "Conditions")
    if conditions.get("NotBefore") and parse_instant(conditions.get("NotBefore"), "NotBefore") > current + skew:
        raise SamlError("The assertion is not yet valid.")
    not_on_or_after = parse_instant(conditions.get("NotOnOrAfter"), "NotOnOrAfter")
    if not_on_or_after <= current - skew:
        raise SamlError("The assertion has expired.")
    restrictions = children(conditions, ns.q("saml", "AudienceRestriction"))
    if not restrictions:
        raise SamlError("The assertion names no audience.")
    for restriction in restrictions:
        audiences = [text_of(a) for a in children(restriction, ns.q("saml", "Audience"))]
        if settings.sp_entity_id not in audiences:
            raise SamlError("The assertion is meant for another audience.", ", ".join(map(str, audiences)))

    statement = _only(assertion, ns.q("saml", "AuthnStatement"), "AuthnStatement")
    context = text_of(statement.find(f"{ns.q('saml', 'AuthnContext')}/{ns.q('saml', 'AuthnContextClassRef')}"))
    if not context:
        raise SamlError("The assertion does not say how the person authenticated.")
    if required_context and context not in required_context.split():
        raise ContextNotMet(context)
    session_end = statement.get("SessionNotOnOrAfter")
    session_not_on_or_after = parse_instant(session_end, "SessionNotOnOrAfter") if session_end else None
    if session_not_on_or_after is not None and session_not_on_or_after <= current - skew:
        raise SamlError("The upstream session has already ended.", session_end)

    values: dict[str, list[str]] = {}
    for statement_node in children(assertion, ns.q("saml", "AttributeStatement")):
        for attribute in children(statement_node, ns.q("saml", "Attribute")):
            values.setdefault(attribute.get("Name", ""), []).extend(
                text_of(v) or "" for v in children(attribute, ns.q("saml", "AttributeValue"))
            )
    person_values = values.get(settings.upstream_id_attribute, [])
    if len(person_values) != 1 or not person_values[0]:
        raise SamlError("The assertion does not identify the person by national number.")
    name = " ".join(v for a in settings.upstream_name_attributes for v in values.get(a, []) if v)
    return UpstreamLogin(
        assertion_id=assertion.get("ID"),
        person=person_values[0],
        name=name or person_values[0],
        name_id=text_of(name_id) or "",
        name_id_format=name_id.get("Format"),
        session_index=statement.get("SessionIndex"),
        authn_instant=statement.get("AuthnInstant") or "",
        authn_context=context,
        not_on_or_after=not_on_or_after,
        session_not_on_or_after=session_not_on_or_after,
    )
