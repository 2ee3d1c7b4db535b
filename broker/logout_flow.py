"""Single Logout, step by step: one participant after another, then the answer to whoever began it.

The targets still to visit live in the StateStore between steps, so each step may run in another
worker process.
"""

import json
from dataclasses import asdict, dataclass

from broker.outcomes import PostForm, Redirect, carried
from broker.saml import bindings, logout, messages, sp
from broker.saml.errors import SamlError
from broker.storage.state import Logout

SP, UPSTREAM = "sp", "upstream"
_UPSTREAM_INITIATOR = "upstream:"


@dataclass(frozen=True)
class LogoutTarget:
    """One party still to be sent a LogoutRequest: an application (SP) or the upstream authenticator."""

    kind: str  # SP or UPSTREAM
    entity: str
    name_id: str
    format: str | None
    session_index: str | None


# The pending targets as the StateStore keeps them (it writes the JSON): the same keys as the
# fields, so logouts begun before an upgrade still finish after it.
def dump_targets(targets: list[LogoutTarget]) -> list[dict]:
    return [asdict(target) for target in targets]


def load_targets(record: Logout) -> list[LogoutTarget]:
    return [LogoutTarget(**values) for values in json.loads(record.pending)]


class LogoutFlow:
    def __init__(self, settings, metadata, policies, state):
        self.settings = settings
        self.metadata = metadata
        self.policies = policies
        self.state = state

    def application_logout(self, received: bindings.Received) -> Redirect | PostForm:
        issuer = logout.sender(received)
        application = self.metadata.service_provider(issuer)
        if application is None:
            raise SamlError("The application is not known to the broker.", issuer)
        if logout.is_response(received):
            return self._answered(received, application)
        request = logout.receive_logout_request(
            received,
            issuer,
            application,
            self.settings.idp_slo_url,
            self.settings.request_max_age,
            self.settings.clock_skew,
        )
        session_id = self.state.session_of_participant(issuer, request.name_id, (request.session_indexes or (None,))[0])
        pending = self._targets(session_id, exclude=issuer) if session_id else []
        if session_id:
            self.state.end_session(session_id)
        record = self.state.create_logout(
            session_id or "", issuer, request.id, request.relay_state, dump_targets(pending)
        )
        return self._next_step(record.id)

    def upstream_logout(self, received: bindings.Received) -> Redirect | PostForm:
        upstream = self._upstream()
        if logout.sender(received) != upstream.entity_id:
            raise SamlError("The logout message comes from an unexpected sender.")
        if logout.is_response(received):
            return self._answered(received, upstream)
        request = logout.receive_logout_request(
            received,
            upstream.entity_id,
            upstream,
            self.settings.sp_slo_url,
            self.settings.request_max_age,
            self.settings.clock_skew,
        )
        pending = []
        for session_id in self.state.sessions_of_upstream_subject(request.name_id):
            pending += [t for t in self._targets(session_id, exclude=None) if t.kind == SP]
            self.state.end_session(session_id)
        record = self.state.create_logout(
            "", _UPSTREAM_INITIATOR + upstream.entity_id, request.id, request.relay_state, dump_targets(pending)
        )
        return self._next_step(record.id)

    def _upstream(self):
        return sp.upstream(self.settings, self.metadata)

    def _targets(self, session_id: str, exclude: str | None) -> list[LogoutTarget]:
        targets = []
        for participant in self.state.participants(session_id):
            policy = self.policies.get(participant.sp_entity_id)
            application = self.metadata.service_provider(participant.sp_entity_id)
            if participant.sp_entity_id == exclude or not application or not application.logout_endpoint():
                continue
            if policy is not None and not policy.single_logout:
                continue
            targets.append(
                LogoutTarget(
                    SP,
                    participant.sp_entity_id,
                    participant.name_id,
                    participant.name_id_format,
                    participant.session_index,
                )
            )
        session = self.state.session_record(session_id)
        if session and self._upstream().logout_endpoint():
            targets.append(
                LogoutTarget(
                    UPSTREAM,
                    self.settings.upstream_entity_id,
                    session.upstream_name_id,
                    session.upstream_name_id_format,
                    session.upstream_session_index,
                )
            )
        return targets

    def _answered(self, received: bindings.Received, role) -> Redirect | PostForm:
        record = self.state.logout(received.relay_state or "")
        if record is None:
            raise SamlError("The logout answer belongs to no logout in progress.")
        logout.receive_logout_response(
            received, role, record.outstanding_request_id, self.settings.request_max_age, self.settings.clock_skew
        )
        return self._next_step(record.id)

    def _next_step(self, logout_id: str) -> Redirect | PostForm:
        record = self.state.logout(logout_id)
        pending = load_targets(record)
        while pending:
            target = pending.pop(0)
            if target.kind == SP:
                endpoint = self.metadata.service_provider(target.entity).logout_endpoint()
                issuer = self.settings.idp_entity_id
            else:
                endpoint = self._upstream().logout_endpoint()
                issuer = self.settings.sp_entity_id
            if endpoint is None:
                continue
            request = logout.build_logout_request(
                issuer, endpoint.location, target.name_id, target.format, target.session_index
            )
            self.state.update_logout(logout_id, dump_targets(pending), messages.id_of(request))
            return carried(bindings.outgoing(endpoint, request, "SAMLRequest", logout_id, self.settings.signing_key))
        self.state.finish_logout(logout_id)
        return self._answer_initiator(record)

    def _answer_initiator(self, record: Logout) -> Redirect | PostForm:
        initiator = record.initiator or ""
        if initiator.startswith(_UPSTREAM_INITIATOR):
            role, issuer = self._upstream(), self.settings.sp_entity_id
        else:
            role, issuer = self.metadata.service_provider(initiator), self.settings.idp_entity_id
        endpoint = role.logout_endpoint() if role else None
        if endpoint is None or not record.initiator_request_id:
            return Redirect(self.settings.base_url + "/logged-out")
        location = endpoint.response_location or endpoint.location
        response = logout.build_logout_response(issuer, location, record.initiator_request_id)
        return carried(
            bindings.outgoing(
                endpoint, response, "SAMLResponse", record.relay_state, self.settings.signing_key, location
            )
        )
