"""Every key a policy file may hold, defined once: the loader validates with it, the docs are generated from it."""

from dataclasses import dataclass

from broker.attributes import PREFIX
from broker.policy.kinds import (
    NAME_FORMATS,
    Choice,
    EntityId,
    Flag,
    Kind,
    MandateTypes,
    OptionalText,
    ReleasedAttributes,
    RightNames,
    Section,
)
from broker.policy.model import NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED

REQUIRED = object()


@dataclass(frozen=True)
class Key:
    path: str  # dotted: "login.own_name" is own_name inside the login mapping
    kind: Kind
    default: object  # as written in YAML; REQUIRED when the key must be present
    meaning: str
    example: object  # as written in YAML
    field: str | tuple[str, ...] = ""  # the Policy field(s) it sets; "login_kinds.x" is LoginKinds.x
    default_text: str = ""  # for the docs, when the default is not a plain YAML value

    @property
    def parent(self) -> str:
        return self.path.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.path.rpartition(".")[2]


NAMEID_FORMATS = {"persistent": NAMEID_PERSISTENT, "transient": NAMEID_TRANSIENT, "unspecified": NAMEID_UNSPECIFIED}
# Only identifiers every kind of login has; MandateID, for one, is absent at an own-name login.
NAMEID_SOURCES = {"pairwise": "pairwise", "ActingSubjectID": "ActingSubjectID", "LegalSubjectID": "LegalSubjectID"}
SIGNING = {"response": (True, False), "assertion": (False, True), "both": (True, True)}

KEYS: tuple[Key, ...] = (
    Key(
        "entity_id",
        EntityId(),
        REQUIRED,
        "The application's SAML entityID, exactly as in its metadata. The broker finds the policy by it; "
        "two files may not name the same entityID. The file name itself is free.",
        "https://wse-loket.example.be/saml/metadata",
        "entity_id",
    ),
    Key(
        "mandate_types",
        MandateTypes(),
        [],
        "The mandate types (codes as in the mandates store) that open this application: an active mandate "
        "of one of these types gives its executor a login option on behalf of the mandate giver.",
        ["WSE Loket"],
        "mandate_types",
    ),
    Key(
        "login",
        Section(),
        {},
        "Which kinds of login this application accepts; the keys below. Keys left out keep their default.",
        {"own_name": True, "mandate": True},
        default_text="the defaults below",
    ),
    Key("login.own_name", Flag(), True, "A natural person may log in in their own name.", True, "login_kinds.own_name"),
    Key(
        "login.work_relationship",
        Flag(),
        False,
        "A person may log in as an ordinary member of an organisation they have a valid work relationship with.",
        True,
        "login_kinds.work_relationship",
    ),
    Key(
        "login.member_right",
        RightNames(),
        None,
        "The application right (in identity management) an ordinary member must hold for that organisation; "
        "a list: any one of them (the chooser offers only the organisations where the person holds one); "
        "null: a valid work relationship is enough. Only allowed with work_relationship: true.",
        "WSE Loket gebruiker",
        "login_kinds.member_right",
    ),
    Key(
        "login.mandate",
        Flag(),
        True,
        "A person may log in on behalf of a mandate giver through an active mandate of one of mandate_types "
        "(for an organisation as taker: holding SSM Mandaatuitvoerder with that type). "
        "Needs at least one mandate type.",
        True,
        "login_kinds.mandate",
    ),
    Key(
        "login.legal_representative",
        Flag(),
        False,
        "A legal representative registered in the KBO may log in directly on behalf of their enterprise, "
        "without a mandate.",
        False,
        "login_kinds.legal_representative",
    ),
    Key(
        "attributes",
        ReleasedAttributes(),
        None,
        "The attributes released to the application and the names it agreed in its integration file. "
        "Each key is an attribute of the vocabulary below; its value is null (the broker's own name "
        f"`{PREFIX}<key>`, format uri), a text (that SAML name, format uri), or a mapping with `name` and "
        f"`format` ({', '.join(NAME_FORMATS)}). Only the listed attributes are released, in this order.",
        {
            "ActingSubjectID": None,
            "LegalSubjectID": "urn:be:wse:LegalSubjectID",
            "MandateType": {"name": "MandateType", "format": "basic"},
        },
        "attributes",
        default_text=f"every attribute of the vocabulary, named `{PREFIX}<key>`, format uri",
    ),
    Key(
        "nameid",
        Section(),
        {},
        "The NameID of the assertion's subject; the keys below.",
        {"format": "persistent", "source": "pairwise"},
        default_text="the defaults below",
    ),
    Key(
        "nameid.format",
        Choice(NAMEID_FORMATS),
        "persistent",
        "persistent: an opaque identifier, stable per acting person, represented party and application; "
        "transient: a new identifier at every login; unspecified: the value of one attribute (see source).",
        "persistent",
        "nameid_format",
    ),
    Key(
        "nameid.source",
        Choice(NAMEID_SOURCES),
        "pairwise",
        "What fills the NameID: pairwise (generated by the broker) for the persistent and transient formats; "
        "with format unspecified the identifier that becomes the NameID: ActingSubjectID (the person at the "
        "keyboard) or LegalSubjectID (the represented party).",
        "pairwise",
        "nameid_source",
    ),
    Key(
        "authn_context",
        OptionalText(),
        None,
        "The floor of the level of assurance: a class ref of the broker's configured levels of assurance (that level or a higher "
        "one is asked upstream and demanded in its answer, also when the application asks for less), or "
        "another class ref, then demanded exactly; a login below it is refused. null: no floor, whatever "
        "the application asks for or, without a request, whatever the upstream gives.",
        "http://eidas.europa.eu/LoA/substantial",
        "authn_context",
    ),
    Key(
        "signing",
        Choice(SIGNING),
        "both",
        "What the broker signs in its answer: the response, the assertion, or both.",
        "both",
        ("sign_response", "sign_assertion"),
    ),
    Key(
        "encrypt_assertion",
        Flag(),
        False,
        "Encrypt the assertion with the application's encryption key from its metadata.",
        True,
        "encrypt_assertion",
    ),
    Key(
        "require_signed_requests",
        Flag(),
        False,
        "Refuse authentication requests from this application that are not signed.",
        True,
        "require_signed_requests",
    ),
    Key(
        "skip_single_option",
        Flag(),
        True,
        "When the person has exactly one login option, use it without showing the chooser.",
        True,
        "skip_single_option",
    ),
    Key(
        "single_logout",
        Flag(),
        True,
        "Take part in Single Logout: a logout elsewhere in the session also logs out of this application, "
        "and its logout requests are honoured.",
        True,
        "single_logout",
    ),
)

BY_PATH = {key.path: key for key in KEYS}


def children(parent: str) -> list[Key]:
    """The keys directly inside `parent` ("" for the top level), in table order."""
    return [key for key in KEYS if key.parent == parent]
