"""The side that faces applications: read their AuthnRequests, write signed Responses."""

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from lxml import etree

from broker.policy import Policy
from broker.policy.model import NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED
from broker.saml import crypto, ns
from broker.saml.bindings import Received
from broker.saml.errors import SamlError
from broker.saml.keys import certificate_key
from broker.saml.messages import add_status, check_fresh, element, expect, issuer_of, now, protocol_message
from broker.saml.metadata import MetadataRegistry, ServiceProvider
from broker.saml.settings import SamlSettings
from broker.saml.state_ids import new_message_id
from broker.saml.timefmt import format_instant
from broker.saml.xmlsafe import child, children

log = logging.getLogger("broker.saml.idp")
# the broker's own AuthnRequest extensions (README "Directed login" and "Switch")
MB = "urn:mandaatbroker:1.0"
_NUMBER = re.compile(r"[0-9]{10,11}")


class Status(StrEnum):
    """Second-level status codes the broker answers an application with (build_error_response)."""

    REQUEST_DENIED = ns.STATUS_REQUEST_DENIED
    AUTHN_FAILED = ns.STATUS_AUTHN_FAILED  # the person who authenticated is not the requested Subject
    INVALID_NAMEID_POLICY = ns.STATUS_INVALID_NAMEID_POLICY
    UNKNOWN_PRINCIPAL = ns.STATUS_UNKNOWN_PRINCIPAL
    PROXY_COUNT_EXCEEDED = ns.STATUS_PROXY_COUNT_EXCEEDED
    NO_AUTHN_CONTEXT = ns.STATUS_NO_AUTHN_CONTEXT


# the requester's fault (top-level Requester); the others are the responder's (Responder)
_REQUESTER_ERRORS = frozenset({Status.INVALID_NAMEID_POLICY, Status.UNKNOWN_PRINCIPAL})


@dataclass(frozen=True)
class NameIdRequest:
    """A NameIDPolicy's or a requested Subject's NameID, as the request gave it (all optional)."""

    format: str | None = None
    sp_name_qualifier: str | None = None
    allow_create: bool = False
    value: str | None = None
    name_qualifier: str | None = None


@dataclass(frozen=True)
class AuthnRequestIn:
    id: str
    issuer: str
    acs_url: str
    relay_state: str | None
    force_authn: bool
    is_passive: bool
    requested_contexts: tuple[str, ...]
    signed: bool
    requested_comparison: str = "exact"
    requested_giver: str | None = None
    requested_taker: str | None = None
    switch: bool = False
    name_id_policy: NameIdRequest | None = None
    subject: NameIdRequest | None = None  # a Subject without a NameID the broker can read: value None
    proxy_count: int | None = None  # Scoping: None = no limit
    requester_ids: tuple[str, ...] = ()


def _extension(root, name: str):
    return root.find(f"{ns.q('samlp', 'Extensions')}/{{{MB}}}{name}")


def _number(node) -> str | None:
    """A KBO or national number, dots, spaces and a BE prefix allowed; anything else is ignored."""
    if node is None:
        return None
    text = re.sub(r"[\s.\-]", "", node.text or "").upper().removeprefix("BE")
    if len(text) == 9 and text.isdigit():
        text = "0" + text  # an enterprise number without its leading zero
    return text if _NUMBER.fullmatch(text) else None


def directed(root, signed: bool, issuer: str) -> tuple[str | None, str | None]:
    """The wanted giver (and taker); it counts only in a signed request, lest anyone steer a login."""
    giver = _number(_extension(root, "RequestedLegalSubject"))
    taker = _number(_extension(root, "RequestedIntermediateSubject"))
    if giver is None:
        return None, None
    if not signed:
        log.info("ignored RequestedLegalSubject in an unsigned AuthnRequest from %s", issuer)
        return None, None
    return giver, taker


def verify_message_signature(received: Received, keys) -> bool:
    """True when the message is signed (and the signature is valid); a bad signature raises."""
    if received.binding == ns.BINDING_REDIRECT:
        if crypto.signature_of(received.root) is not None:
            raise SamlError("A Redirect-binding message must not carry an XML signature.")
        return received.verify_redirect_signature(keys)
    if crypto.signature_of(received.root) is None:
        return False
    crypto.verify_enveloped(received.root, keys)
    return True


def known_application(received: Received, metadata: MetadataRegistry) -> ServiceProvider:
    issuer = issuer_of(received.root)
    if not issuer:
        raise SamlError("The request does not name the application.")
    sp = metadata.service_provider(issuer)
    if sp is None:
        raise SamlError("The application is not known to the broker.", issuer)
    return sp


def _name_id_policy(root) -> NameIdRequest | None:
    node = child(root, ns.q("samlp", "NameIDPolicy"))
    if node is None:
        return None
    return NameIdRequest(node.get("Format"), node.get("SPNameQualifier"), node.get("AllowCreate") in ("true", "1"))


def _subject(root) -> NameIdRequest | None:
    subject = child(root, ns.q("saml", "Subject"))
    if subject is None:
        return None
    name_ids = children(subject, ns.q("saml", "NameID"))
    if len(name_ids) != 1 or not (name_ids[0].text or "").strip():
        return NameIdRequest()  # an EncryptedID, a BaseID or nothing: no principal the broker can match
    node = name_ids[0]
    return NameIdRequest(
        node.get("Format"),
        node.get("SPNameQualifier"),
        value=node.text.strip(),
        name_qualifier=node.get("NameQualifier"),
    )


def _scoping(root) -> tuple[int | None, tuple[str, ...]]:
    scoping = child(root, ns.q("samlp", "Scoping"))
    if scoping is None:
        return None, ()
    count = scoping.get("ProxyCount")
    if count is not None and not re.fullmatch(r"[0-9]{1,9}", count):
        raise SamlError("The request's ProxyCount is not a number.", count)
    requesters = tuple((r.text or "").strip() for r in children(scoping, ns.q("samlp", "RequesterID")))
    return (int(count) if count is not None else None), tuple(r for r in requesters if r)


def receive_authn_request(received: Received, settings: SamlSettings, metadata: MetadataRegistry) -> AuthnRequestIn:
    root = received.root
    expect(root, "AuthnRequest")
    sp = known_application(received, metadata)
    signed = verify_message_signature(received, sp.signing_keys)
    # An application that always signs (its metadata says so) is never taken at an unsigned word:
    # stripping the signature must not make a request acceptable.
    if sp.authn_requests_signed and not signed:
        raise SamlError("The application's metadata says it signs its requests; this one is not.", sp.entity_id)
    if settings.want_authn_requests_signed and not signed:
        raise SamlError("The broker accepts only signed requests.", sp.entity_id)
    check_fresh(root, settings.request_max_age, settings.clock_skew)
    destination = root.get("Destination")
    if destination is not None and destination != settings.sso_url:
        raise SamlError("The request was meant for another destination.", destination)
    binding = root.get("ProtocolBinding")
    if binding not in (None, ns.BINDING_POST):
        raise SamlError("The broker answers only with the HTTP-POST binding.", binding)
    index = root.get("AssertionConsumerServiceIndex")
    # ASCII digits only: str.isdigit() also admits "²", which int() refuses
    if index is not None and not re.fullmatch(r"[0-9]{1,5}", index):
        raise SamlError("The application asked for an answer address its metadata does not list.", index)
    acs = sp.consumer(url=root.get("AssertionConsumerServiceURL"), index=int(index) if index is not None else None)
    requested = child(root, ns.q("samlp", "RequestedAuthnContext"))
    contexts = tuple(
        (ref.text or "").strip()
        for ref in root.iterfind(f"{ns.q('samlp', 'RequestedAuthnContext')}/{ns.q('saml', 'AuthnContextClassRef')}")
    )
    giver, taker = directed(root, signed, sp.entity_id)
    proxy_count, requester_ids = _scoping(root)
    return AuthnRequestIn(
        id=root.get("ID"),
        issuer=sp.entity_id,
        acs_url=acs.location,
        relay_state=received.relay_state,
        force_authn=root.get("ForceAuthn") in ("true", "1"),
        is_passive=root.get("IsPassive") in ("true", "1"),
        requested_contexts=contexts,
        signed=signed,
        requested_comparison=requested.get("Comparison", "exact") if requested is not None else "exact",
        requested_giver=giver,
        requested_taker=taker,
        switch=_extension(root, "Switch") is not None,
        name_id_policy=_name_id_policy(root),
        subject=_subject(root),
        proxy_count=proxy_count,
        requester_ids=requester_ids,
    )


def refusal(request: AuthnRequestIn, policy: Policy, settings: SamlSettings) -> tuple[Status, str] | None:
    """What the application must be answered instead of an assertion, known before anyone authenticates."""
    if request.proxy_count == 0:  # the broker never authenticates by itself: answering is proxying
        return Status.PROXY_COUNT_EXCEEDED, "the broker only proxies and ProxyCount is 0"
    asked = request.name_id_policy
    if asked is not None:
        if asked.format not in (None, NAMEID_UNSPECIFIED, policy.nameid_format):
            return Status.INVALID_NAMEID_POLICY, f"this application gets NameID format {policy.nameid_format}"
        # no affiliations: the broker qualifies every NameID with the requesting application
        if asked.sp_name_qualifier not in (None, request.issuer):
            return Status.INVALID_NAMEID_POLICY, "SPNameQualifier other than the application"
    subject = request.subject
    if subject is not None and not _could_be_ours(subject, policy, request.issuer, settings):
        return Status.UNKNOWN_PRINCIPAL, "the requested Subject is not a NameID this broker issues"
    return None


def _could_be_ours(subject: NameIdRequest, policy: Policy, issuer: str, settings: SamlSettings) -> bool:
    # a transient NameID is new in every assertion: none can ever match a requested one
    return (
        subject.value is not None
        and policy.nameid_format != NAMEID_TRANSIENT
        and subject.format in (None, policy.nameid_format)
        and subject.name_qualifier in (None, settings.idp_entity_id)
        and subject.sp_name_qualifier in (None, issuer)
    )


def subject_matches(requested_name_id: str | None, name_id: tuple[str, str]) -> bool:
    """SAML core 3.4.1.4: an assertion answers a requested Subject only with that very NameID."""
    return requested_name_id is None or hmac.compare_digest(requested_name_id.encode(), name_id[0].encode())


@dataclass(frozen=True)
class Authentication:
    """How the person authenticated upstream, carried into every assertion of the session."""

    instant: str
    context: str
    session_index: str
    session_end: float | None = None  # the broker session's end (time.time()), capped at the upstream's


def pairwise_id(secret: bytes, sp_entity_id: str, acting: str, represented: str) -> str:
    """Opaque, stable per (application, acting person, represented party); no number leaks."""
    message = "\x1f".join((sp_entity_id, acting, represented)).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def name_id_for(policy: Policy, claims: dict[str, str], secret: bytes) -> tuple[str, str]:
    if policy.nameid_format == NAMEID_TRANSIENT:
        return new_message_id(), NAMEID_TRANSIENT
    if policy.nameid_format == NAMEID_PERSISTENT:
        return pairwise_id(
            secret, policy.entity_id, claims["ActingSubjectID"], claims["LegalSubjectID"]
        ), NAMEID_PERSISTENT
    return claims[policy.nameid_source], policy.nameid_format or NAMEID_UNSPECIFIED


def _encryption(sp: ServiceProvider):
    if not sp.encryption_certs:
        raise SamlError("The application's metadata has no encryption key.", sp.entity_id)
    algorithm = next((m for m in sp.encryption_methods if m in ns.DATA_ENCRYPTION_ALGORITHMS), ns.AES256_GCM)
    return certificate_key(sp.encryption_certs[0]), algorithm


def build_response(
    settings: SamlSettings,
    sp: ServiceProvider,
    policy: Policy,
    request_id: str,
    acs_url: str,
    claims: dict[str, str],
    name_id: tuple[str, str],
    authentication: Authentication,
) -> etree._Element:
    """A Success Response with one assertion, signed and encrypted as the policy says."""
    issued = now()
    until = format_instant(issued + timedelta(seconds=settings.assertion_lifetime))
    response = protocol_message("Response", settings.idp_entity_id, acs_url, request_id)
    add_status(response, ns.STATUS_SUCCESS)

    # built, signed and encrypted as a document of its own, so that it declares the saml prefix
    # itself: Shibboleth SP and node-saml decrypt it outside the Response and verify it there
    assertion = element("saml", "Assertion", ID=new_message_id(), Version="2.0", IssueInstant=format_instant(issued))
    element("saml", "Issuer", assertion, settings.idp_entity_id)
    subject = element("saml", "Subject", assertion)
    element(
        "saml",
        "NameID",
        subject,
        name_id[0],
        Format=name_id[1],
        NameQualifier=settings.idp_entity_id,
        SPNameQualifier=sp.entity_id,
    )
    confirmation = element("saml", "SubjectConfirmation", subject, Method=ns.CM_BEARER)
    element(
        "saml", "SubjectConfirmationData", confirmation, NotOnOrAfter=until, Recipient=acs_url, InResponseTo=request_id
    )
    conditions = element(
        "saml",
        "Conditions",
        assertion,
        NotBefore=format_instant(issued - timedelta(seconds=settings.clock_skew)),
        NotOnOrAfter=until,
    )
    restriction = element("saml", "AudienceRestriction", conditions)
    element("saml", "Audience", restriction, sp.entity_id)
    statement = element(
        "saml",
        "AuthnStatement",
        assertion,
        AuthnInstant=authentication.instant,
        SessionIndex=authentication.session_index,
        SessionNotOnOrAfter=_instant_of(authentication.session_end),
    )
    context = element("saml", "AuthnContext", statement)
    element("saml", "AuthnContextClassRef", context, authentication.context)
    attributes = element("saml", "AttributeStatement", assertion)
    for release in policy.attributes:
        value = claims.get(release.key)
        if value is None:
            continue
        attribute = element("saml", "Attribute", attributes, Name=release.name, NameFormat=release.name_format)
        node = etree.SubElement(attribute, ns.q("saml", "AttributeValue"), nsmap={"xs": ns.XS, "xsi": ns.XSI})
        node.set("{%s}type" % ns.XSI, "xs:string")
        node.text = value

    if policy.sign_assertion:
        crypto.sign(assertion, settings.signing_key)
    if policy.encrypt_assertion:
        key, algorithm = _encryption(sp)
        element("saml", "EncryptedAssertion", response).append(crypto.encrypt(assertion, key, algorithm))
    else:
        response.append(assertion)
    if policy.sign_response:
        crypto.sign(response, settings.signing_key)
    return response


def _instant_of(timestamp: float | None) -> str | None:
    return None if timestamp is None else format_instant(datetime.fromtimestamp(timestamp, UTC))


def build_error_response(
    settings: SamlSettings, request_id: str, acs_url: str, second_level: str, message: str, signing: bool = True
) -> etree._Element:
    response = protocol_message("Response", settings.idp_entity_id, acs_url, request_id)
    top = ns.STATUS_REQUESTER if second_level in _REQUESTER_ERRORS else ns.STATUS_RESPONDER
    add_status(response, top, second_level, message)
    if signing:
        crypto.sign(response, settings.signing_key)
    return response
