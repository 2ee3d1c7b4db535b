"""Small fakes around the LoginFlow: metadata, policies, store, audit, and the saml functions it calls.

The state is a real StateStore (the tests' open_state: an SQLite file, then PostgreSQL): the flow's
contract with it is transactional, and a fake would have to re-implement that. The saml fakes build dicts instead of XML.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from broker import login_flow
from broker.policy import Policy
from broker.saml import idp
from broker.saml import sp as real_sp
from broker.saml.bindings import Outgoing
from broker.saml.errors import SamlError
from broker.saml.metadata import Endpoint
from broker.saml.sp import Scoping, UpstreamLogin
from mandates_store import LoginOption, Party

APP = "https://app.example/saml"
UPSTREAM = "https://upstream.example/idp"
PERSON = "85073003328"
ACS = APP + "/acs"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

ME = Party(PERSON, "person", "Jan Peeters")
ACME = Party("0123456789", "organisation", "Acme")
OWN = LoginOption("own_name", ME, ME, None, None, None, None, None, "own", "own")
WORK = LoginOption("work_relationship", ME, ACME, None, None, None, None, None, "works there", "work:0123456789")


class Policies:
    """Counts look-ups: one request must look its policy up once."""

    def __init__(self, *policies: Policy):
        self.by_entity = {p.entity_id: p for p in policies}
        self.calls = 0

    def get(self, entity_id: str) -> Policy | None:
        self.calls += 1
        return self.by_entity.get(entity_id)


class Metadata:
    def __init__(self):
        self.applications = {APP: SimpleNamespace(entity_id=APP)}
        self.upstream = SimpleNamespace(
            entity_id=UPSTREAM, sso_endpoint=lambda: Endpoint(REDIRECT, UPSTREAM + "/sso"), logout_endpoint=lambda: None
        )

    def service_provider(self, entity_id: str):
        return self.applications.get(entity_id)

    def identity_provider(self, entity_id: str):
        return self.upstream if entity_id == UPSTREAM else None


class Store:
    def explain_missing(self, person, at, scope):
        return [f"nothing for {person}"]


@dataclass
class Audit:
    answers: list = field(default_factory=list)
    refusals: list = field(default_factory=list)

    def issued(self, application, person, option):
        self.answers.append((application, person, option.key))

    def refused(self, reason, application=None, person=None):
        self.refusals.append((reason, application, person))


@dataclass
class Answer:
    """What the fake saml sends back upstream: an ID to find its flow, and the login it vouches for."""

    in_response_to: str
    person: str = PERSON
    assertion_id: str = "_assertion"
    relay_state: str | None = None


class Saml:
    """Fakes for the broker.saml modules the flow calls, recording what it asked for."""

    def __init__(self):
        self.requests = 0
        self.idp = SimpleNamespace(
            receive_authn_request=lambda received, settings, metadata: received,
            name_id_for=lambda policy, claims, secret: (claims["LegalSubjectID"], "pairwise"),
            build_response=lambda settings, app, policy, request_id, acs, claims, name_id, auth: {
                "InResponseTo": request_id,
                "LoginKind": claims["LoginKind"],
                "LegalSubjectID": claims["LegalSubjectID"],
            },
            build_error_response=lambda settings, request_id, acs, second_level, message: {
                "InResponseTo": request_id,
                "Status": second_level,
                "StatusMessage": message,
            },
            Authentication=idp.Authentication,
            Status=idp.Status,
            AuthnRequestIn=idp.AuthnRequestIn,
            refusal=idp.refusal,  # pure decisions on the parsed request: the real ones
            subject_matches=idp.subject_matches,
        )
        self.sp = SimpleNamespace(
            upstream=self._upstream,
            build_authn_request=self._authn_request,
            in_response_to=lambda received: received.in_response_to,
            validate_response=self._validate,
            Scoping=Scoping,
            status_for_application=real_sp.status_for_application,
        )
        self.bindings = SimpleNamespace(
            outgoing=lambda endpoint, message, param, relay_state, key, location=None: Outgoing(
                f"{location or endpoint.location}?{param}={message['ID']}"
            ),
            posted=lambda location, message, param, relay_state: Outgoing(
                location, {param: message, "RelayState": relay_state}
            ),
        )
        self.messages = SimpleNamespace(id_of=lambda message: message["ID"])

    @staticmethod
    def _upstream(settings, metadata):
        found = metadata.identity_provider(settings.upstream_entity_id)
        if found is None:
            raise SamlError("The upstream authenticator is not configured.")
        return found

    def _authn_request(self, settings, upstream, contexts, force_authn, scoping=None):
        self.requests += 1
        return {"ID": f"_up{self.requests}", "contexts": contexts}

    @staticmethod
    def _validate(received, settings, upstream, expected_request_id, required_context):
        if received.in_response_to != expected_request_id:
            raise SamlError("The sign-in answer does not answer this browser's request.")
        return UpstreamLogin(
            assertion_id=received.assertion_id,
            person=received.person,
            name="Jan Peeters",
            name_id="upstream-" + received.person,
            name_id_format=None,
            session_index="_s1",
            authn_instant="2026-01-01T00:00:00Z",
            authn_context="urn:context:high",
            not_on_or_after=datetime.now(UTC) + timedelta(minutes=5),
        )

    def install(self, monkeypatch):
        """Replace the flow's references only, never the real saml modules."""
        for name in ("idp", "sp", "bindings", "messages"):
            monkeypatch.setattr(login_flow, name, getattr(self, name))


class Options:
    """Stands in for selection's options_for: the options each person has right now."""

    def __init__(self):
        self.by_person: dict[str, list[LoginOption]] = {PERSON: [OWN]}
        self.asked_for: list[str] = []  # the keys option_for was asked

    def __call__(self, store, person, person_name, today, policy):
        return list(self.by_person.get(person, []))

    def one(self, store, person, person_name, today, policy, key):
        """Stands in for option_for: the chosen option, if the person has it right now."""
        self.asked_for.append(key)
        return next((o for o in self.by_person.get(person, []) if o.key == key), None)


def settings():
    return SimpleNamespace(upstream_entity_id=UPSTREAM, signing_key=None, clock_skew=60, authn_levels=())


def request(**values) -> idp.AuthnRequestIn:
    """An AuthnRequest as idp.receive_authn_request would read it (the fake passes it through)."""
    defaults = dict(
        id="_req1",
        issuer=APP,
        acs_url=ACS,
        relay_state="rs",
        force_authn=False,
        is_passive=False,
        requested_contexts=(),
        signed=True,
    )
    return idp.AuthnRequestIn(**(defaults | values))
