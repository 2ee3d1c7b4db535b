"""What a valid file becomes: the Policy the rest of the broker reads."""

from pathlib import Path

import pytest

from broker.attributes import VOCABULARY, saml_name
from broker.policy.docs import WSE_LOKET_EXAMPLE
from broker.policy.loader import read_file, read_policy
from broker.policy.model import NAME_FORMAT_BASIC, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED, LoginKinds, Policy
from broker.policy.schema import KEYS, REQUIRED, Section

REPO = Path(__file__).resolve().parents[2]
MINIMAL = "entity_id: https://a.be/x\nmandate_types: [WSE Loket]\n"


def policy(text: str) -> Policy:
    result = read_policy("app.yaml", text)
    assert result.issues == ()
    return result.policy


def test_left_out_keys_take_the_model_defaults():
    assert policy(MINIMAL) == Policy("https://a.be/x", frozenset({"WSE Loket"}), source="app.yaml")


@pytest.mark.parametrize(
    "key",
    [
        k
        for k in KEYS
        if k.default is not REQUIRED
        and not isinstance(k.kind, Section)
        and k.path not in ("mandate_types", "attributes")
    ],
    ids=lambda k: k.path,
)
def test_the_documented_default_written_out_changes_nothing(key):
    import yaml

    value = {key.name: key.default}
    if key.parent:
        value = {key.parent: value}
    assert policy(MINIMAL + yaml.safe_dump(value)) == policy(MINIMAL)


def test_every_key_sets_its_field():
    result = policy(
        "entity_id: https://a.be/x\n"
        "mandate_types: [WSE Loket, Kiosk]\n"
        "login: {own_name: false, work_relationship: true, member_right: R, mandate: true, "
        "legal_representative: true}\n"
        "attributes: {LegalSubjectID: , MandateType: mt, LoginKind: {name: kind, format: basic}}\n"
        "nameid: {format: unspecified, source: LegalSubjectID}\n"
        "authn_context: urn:loa:high\n"
        "signing: response\n"
        "encrypt_assertion: true\n"
        "require_signed_requests: true\n"
        "skip_single_option: false\n"
        "single_logout: false\n"
    )
    assert result.mandate_types == {"WSE Loket", "Kiosk"}
    assert result.login_kinds == LoginKinds(False, True, "R", True, True)
    assert [(a.key, a.name, a.name_format) for a in result.attributes] == [
        ("LegalSubjectID", saml_name("LegalSubjectID"), "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"),
        ("MandateType", "mt", "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"),
        ("LoginKind", "kind", NAME_FORMAT_BASIC),
    ]
    assert (result.nameid_format, result.nameid_source) == (NAMEID_UNSPECIFIED, "LegalSubjectID")
    assert result.authn_context == "urn:loa:high"
    assert (result.sign_response, result.sign_assertion) == (True, False)
    assert result.encrypt_assertion and result.require_signed_requests
    assert not result.skip_single_option and not result.single_logout


@pytest.mark.parametrize(
    "signing, expected", [("response", (True, False)), ("assertion", (False, True)), ("both", (True, True))]
)
def test_signing(signing, expected):
    result = policy(MINIMAL + f"signing: {signing}\n")
    assert (result.sign_response, result.sign_assertion) == expected


def test_transient_nameid_and_an_empty_login_section():
    result = policy(MINIMAL + "nameid: {format: transient}\nlogin:\n")
    assert result.nameid_format == NAMEID_TRANSIENT and result.login_kinds == LoginKinds()


def test_an_empty_attributes_mapping_releases_nothing():
    assert policy(MINIMAL + "attributes: {}\n").attributes == ()


def test_default_attributes_are_the_whole_vocabulary():
    assert [a.key for a in policy(MINIMAL).attributes] == list(VOCABULARY)


def test_the_demo_application_policy():
    result = read_file(REPO / "policies" / "demo-application.yaml", frozenset({"WSE Loket"}))
    assert result.issues == ()
    demo = result.policy
    assert demo.entity_id == "http://localhost:8000/saml/metadata"
    assert demo.mandate_types == {"WSE Loket"}
    assert demo.login_kinds.own_name and demo.login_kinds.work_relationship and demo.login_kinds.mandate
    assert not demo.login_kinds.legal_representative


def test_the_documented_wse_loket_example_is_valid_and_uses_every_key():
    result = read_policy("wse-loket.yaml", WSE_LOKET_EXAMPLE, frozenset({"WSE Loket"}))
    assert result.issues == ()
    for key in KEYS:
        head, _, name = key.path.rpartition(".")
        assert f"\n{'  ' if head else ''}{name}:" in "\n" + WSE_LOKET_EXAMPLE, key.path
