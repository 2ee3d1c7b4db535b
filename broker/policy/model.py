"""What one application's policy says, as plain immutable values.

The loader (files, schema, reload) builds these; the rest of the broker only reads them.
"""

from dataclasses import dataclass, field

from broker.attributes import VOCABULARY, saml_name

NAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
NAME_FORMAT_BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"

NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


@dataclass(frozen=True)
class ReleasedAttribute:
    key: str  # one of broker.attributes.VOCABULARY
    name: str  # the SAML Attribute Name the application agreed
    name_format: str = NAME_FORMAT_URI


def default_attributes() -> tuple[ReleasedAttribute, ...]:
    return tuple(ReleasedAttribute(key, saml_name(key)) for key in VOCABULARY)


@dataclass(frozen=True)
class LoginKinds:
    own_name: bool = True
    work_relationship: bool = False
    member_right: str | tuple[str, ...] | None = None  # the right(s) an ordinary member needs: any one
    mandate: bool = True
    legal_representative: bool = False


@dataclass(frozen=True)
class Policy:
    entity_id: str
    mandate_types: frozenset[str] = frozenset()
    login_kinds: LoginKinds = field(default_factory=LoginKinds)
    attributes: tuple[ReleasedAttribute, ...] = field(default_factory=default_attributes)
    # persistent: a pairwise, opaque id per (acting, represented, application); transient: new each time;
    # otherwise the value of one vocabulary key (e.g. ActingSubjectID) with the unspecified format.
    nameid_format: str = NAMEID_PERSISTENT
    nameid_source: str = "pairwise"
    authn_context: str | None = None  # level of assurance to ask upstream and to demand in its answer
    sign_response: bool = True
    sign_assertion: bool = True
    encrypt_assertion: bool = False
    require_signed_requests: bool = False
    skip_single_option: bool = True
    single_logout: bool = True
    source: str = ""  # the file it came from, for messages
