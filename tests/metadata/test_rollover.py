"""A signing key rollover in three configuration steps, with logins through the demo parties at
each step; the application and the upstream re-read the broker's metadata as an operator would."""

from lxml import etree

from broker import create_app
from broker.saml import ns
from broker.saml.certgen import generate
from broker.saml.keys import certificate_b64
from demo.application import create_application_app
from demo.upstream import create_upstream_app
from mandates_store import demo_data as d
from tests.browser import Browser
from tests.conftest import APP
from tests.e2e.helpers import login_at_upstream, received


def published_certs(document: bytes) -> list[str]:
    role = etree.fromstring(document).find(ns.q("md", "IDPSSODescriptor"))
    return [
        "".join(c.text.split())
        for d_ in role.iter(ns.q("md", "KeyDescriptor"))
        if d_.get("use") == "signing"
        for c in d_.iter(ns.q("ds", "X509Certificate"))
    ]


class Operator:
    """Restarts the broker with a configuration; re-reads its metadata into the partners on demand."""

    def __init__(self, demo, tmp_path):
        self.demo, self.tmp_path, self.version = demo, tmp_path, 0
        self.partner_metadata = None

    def restart(self, **changes):
        self.broker = create_app(dict(self.demo.broker, **changes))
        return self.broker

    def reread(self):
        """Export the broker's metadata into files the partners load (pysaml2 reads them at start)."""
        self.version += 1
        client = self.broker.test_client()
        idp, sp = (self.tmp_path / f"broker-idp-{self.version}.xml"), (self.tmp_path / f"broker-sp-{self.version}.xml")
        idp.write_bytes(client.get("/saml/idp/metadata").data)
        sp.write_bytes(client.get("/saml/sp/metadata").data)
        self.partner_metadata = (str(idp), str(sp))
        return published_certs(idp.read_bytes())

    def login(self, person=d.PERSON_OWN_NAME_ONLY, metadata=None) -> dict:
        idp, sp = metadata or self.partner_metadata
        browser = Browser(
            {
                "localhost:8080": self.broker,
                "localhost:8090": create_upstream_app(**dict(self.demo.upstream, metadata_files=[sp])),
                "localhost:8000": create_application_app(**dict(self.demo.application, metadata_files=[idp])),
            }
        )
        try:
            page = login_at_upstream(browser, person)
        except Exception as failure:  # a partner that cannot verify the broker raises inside pysaml2
            return {"failed": repr(failure)}
        return received(browser) if page.url == APP + "/" else {"failed": page.text[:200]}


def test_rollover_without_a_failed_login(demo, tmp_path):
    old_cert = demo.broker["SIGNING_CERT"]
    new_key, new_cert = str(tmp_path / "broker-signing-next.key"), str(tmp_path / "broker-signing-next.crt")
    generate(new_key, new_cert, "broker signing next")
    old, new = (certificate_b64(open(p, "rb").read()) for p in (old_cert, new_cert))
    operator = Operator(demo, tmp_path)

    operator.restart()
    assert operator.reread() == [old]
    before = operator.partner_metadata
    assert operator.login()["LoginKind"] == "own_name"

    # 1. publish the next key beside the current one; partners that have not re-read still work
    operator.restart(NEXT_SIGNING_KEY=new_key, NEXT_SIGNING_CERT=new_cert)
    assert operator.login()["LoginKind"] == "own_name"
    assert operator.reread() == [old, new]

    # 2. promote: the broker signs with the next key; partners with both certificates go on
    operator.restart(NEXT_SIGNING_KEY=new_key, NEXT_SIGNING_CERT=new_cert, SIGNING_KEY_IN_USE="next")
    assert operator.login()["LoginKind"] == "own_name"
    # the switch is real: a partner that never learnt the next key can no longer verify the broker
    assert "failed" in operator.login(metadata=before)
    assert operator.reread() == [new, old]
    assert operator.login()["LoginKind"] == "own_name"

    # 3. retire the old key: the next key's files become the signing key
    operator.restart(SIGNING_KEY=new_key, SIGNING_CERT=new_cert)
    assert operator.login()["LoginKind"] == "own_name"
    assert operator.reread() == [new]
    assert operator.login()["LoginKind"] == "own_name"
