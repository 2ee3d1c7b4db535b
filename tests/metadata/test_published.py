"""The broker's own metadata: schema-valid, signed (RSA-SHA256, exclusive c14n), with validity,
bindings, NameID formats, organisation and contacts; the same through `broker metadata export`."""

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from lxml import etree

from broker import create_app
from broker.cli import main
from broker.saml import crypto, ns
from broker.saml.errors import SamlError
from broker.saml.keys import certificate_b64, verification_key
from broker.saml.schemas import validate_metadata
from broker.saml.timefmt import parse_instant

ORGANIZATION = {"name": {"nl": "Mandaatbroker", "en": "Mandate broker"}, "url": "https://broker.example/"}
CONTACTS = [
    {"type": "technical", "given_name": "Operations", "email": "ops@broker.example"},
    {"type": "support", "company": "Helpdesk", "email": ["help@broker.example"], "phone": "+32 2 000 00 00"},
]


@pytest.fixture
def published(demo):
    app = create_app(dict(demo.broker, ORGANIZATION=ORGANIZATION, CONTACTS=CONTACTS))
    client = app.test_client()
    return {kind: client.get(f"/saml/{kind}/metadata") for kind in ("idp", "sp")}


def broker_key(demo):
    with open(demo.broker["SIGNING_CERT"], "rb") as handle:
        return verification_key(certificate_b64(handle.read()))


@pytest.mark.parametrize("kind", ["idp", "sp"])
def test_metadata_is_schema_valid_and_signed(published, demo, kind):
    answer = published[kind]
    assert answer.mimetype == "application/samlmetadata+xml"
    assert validate_metadata(answer.data) == []
    root = etree.fromstring(answer.data)
    crypto.verify_enveloped(root, [broker_key(demo)])
    signature = root.find(ns.q("ds", "Signature"))
    assert signature.find(f".//{ns.q('ds', 'SignatureMethod')}").get("Algorithm") == ns.RSA_SHA256
    assert signature.find(f".//{ns.q('ds', 'CanonicalizationMethod')}").get("Algorithm") == ns.EXC_C14N
    assert signature.find(f".//{ns.q('ds', 'DigestMethod')}").get("Algorithm") == ns.SHA256
    until = parse_instant(root.get("validUntil"), "validUntil")
    assert timedelta(days=6) < until - datetime.now(UTC) <= timedelta(days=7)
    assert root.get("cacheDuration") == "PT6H"


def test_metadata_lists_bindings_nameid_formats_organization_and_contacts(published):
    idp = etree.fromstring(published["idp"].data)
    role = idp.find(ns.q("md", "IDPSSODescriptor"))
    assert {e.get("Binding") for e in role.iter(ns.q("md", "SingleSignOnService"))} == {
        ns.BINDING_REDIRECT,
        ns.BINDING_POST,
    }
    assert {e.get("Binding") for e in role.iter(ns.q("md", "SingleLogoutService"))} == {
        ns.BINDING_REDIRECT,
        ns.BINDING_POST,
    }
    assert "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" in [
        e.text for e in role.iter(ns.q("md", "NameIDFormat"))
    ]
    names = {
        e.get("{http://www.w3.org/XML/1998/namespace}lang"): e.text for e in idp.iter(ns.q("md", "OrganizationName"))
    }
    assert names == {"nl": "Mandaatbroker", "en": "Mandate broker"}
    contacts = idp.findall(ns.q("md", "ContactPerson"))
    assert [c.get("contactType") for c in contacts] == ["technical", "support"]
    assert contacts[0].find(ns.q("md", "EmailAddress")).text == "mailto:ops@broker.example"
    sp = etree.fromstring(published["sp"].data)
    encryption = [d for d in sp.iter(ns.q("md", "KeyDescriptor")) if d.get("use") == "encryption"]
    assert [m.get("Algorithm") for m in encryption[0].iter(ns.q("md", "EncryptionMethod"))][:2] == [
        ns.AES256_GCM,
        ns.AES128_GCM,
    ]
    assert sp.find(f".//{ns.q('md', 'AssertionConsumerService')}").get("Binding") == ns.BINDING_POST


def test_a_changed_document_fails_the_signature_and_a_misordered_one_the_schema(published, demo):
    changed = published["idp"].data.replace(b"/saml/idp/sso", b"/evil/sso")
    with pytest.raises(SamlError, match="signature is not valid"):
        crypto.verify_enveloped(etree.fromstring(changed), [broker_key(demo)])
    root = etree.fromstring(published["idp"].data)
    root.insert(1, root.find(ns.q("md", "Organization")))  # Organization before the role: not allowed
    assert validate_metadata(root)


def _toml(demo, tmp_path, **extra) -> str:
    lines = [f'{k.lower()} = "{v}"' for k, v in demo.broker.items() if isinstance(v, str)]
    lines += [f'{k.lower()} = "{v}"' for k, v in extra.items()]
    path = tmp_path / "broker.toml"
    path.write_text("\n".join(lines) + '\n[organization]\nname = "Mandaatbroker"\nurl = "https://broker.example/"\n')
    return str(path)


def test_export_command_writes_signed_valid_metadata(demo, tmp_path):
    config = _toml(demo, tmp_path)
    runner = CliRunner()
    out = tmp_path / "sp.xml"
    result = runner.invoke(main, ["metadata", "export", "--config", config, "--sp", "--output", str(out)])
    assert result.exit_code == 0, result.output
    root = etree.fromstring(out.read_bytes())
    assert root.get("entityID") == demo.broker["BASE_URL"] + "/saml/sp/metadata"
    assert validate_metadata(root) == []
    crypto.verify_enveloped(root, [broker_key(demo)])
    assert root.find(f".//{ns.q('md', 'OrganizationName')}").text == "Mandaatbroker"
    printed = runner.invoke(main, ["metadata", "export", "--config", config])
    assert printed.exit_code == 0
    assert etree.fromstring(printed.stdout_bytes).find(ns.q("md", "IDPSSODescriptor")) is not None


@pytest.mark.parametrize(
    "kind, use, bits, options",
    [
        ("rsa", "signing", 3072, []),
        ("rsa", "signing", 2048, ["--bits", "2048"]),
        ("rsa", "signing", 4096, ["--bits", "4096"]),
        ("ec", "signing", 256, []),
        ("rsa", "encryption", 3072, []),
    ],
)
def test_certs_generate(tmp_path, kind, use, bits, options):
    runner = CliRunner()
    result = runner.invoke(
        main, ["certs", "generate", "--kind", kind, "--use", use, "--out", str(tmp_path / "certs"), *options]
    )
    assert result.exit_code == 0, result.output
    key_path = tmp_path / "certs" / f"broker-{use}.key"
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    assert key.key_size == bits
    again = runner.invoke(main, ["certs", "generate", "--kind", kind, "--use", use, "--out", str(tmp_path / "certs")])
    assert again.exit_code != 0 and "exists" in again.output


def test_certs_generate_refuses_a_weak_rsa_key(tmp_path):
    result = CliRunner().invoke(main, ["certs", "generate", "--bits", "1024", "--out", str(tmp_path / "certs")])
    assert result.exit_code != 0 and "1024" in result.output and not (tmp_path / "certs").exists()


def test_ec_signing_key_signs_metadata_with_ecdsa(demo, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["certs", "generate", "--kind", "ec", "--out", str(tmp_path / "ec")]).exit_code == 0
    key, cert = str(tmp_path / "ec" / "broker-signing.key"), str(tmp_path / "ec" / "broker-signing.crt")
    data = (
        create_app(dict(demo.broker, SIGNING_KEY=key, SIGNING_CERT=cert)).test_client().get("/saml/idp/metadata").data
    )
    root = etree.fromstring(data)
    assert root.find(f".//{ns.q('ds', 'SignatureMethod')}").get("Algorithm") == ns.ECDSA_SHA256
    with open(cert, "rb") as handle:
        crypto.verify_enveloped(root, [verification_key(certificate_b64(handle.read()))])
    assert validate_metadata(root) == []


def test_ec_encryption_key_is_refused(tmp_path):
    result = CliRunner().invoke(
        main, ["certs", "generate", "--kind", "ec", "--use", "encryption", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0 and "RSA-OAEP" in result.output
