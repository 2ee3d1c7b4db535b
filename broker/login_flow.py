"""The login, step by step: saml parses, selection decides, saml answers.

Every step returns an Outcome (broker.outcomes) for the web layer to render; all state between steps
lives in the StateStore, so each step may run in another worker process. Each step looks the
application's policy up once and hands it down, so one request sees one policy throughout.
"""

import dataclasses
import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import date

from broker import metrics
from broker.outcomes import LoggedIn, NoOption, Outcome, PostForm, Refused, ShowChooser, carried
from broker.policy import Policy
from broker.policy.scope import scope_for
from broker.saml import authn_context, bindings, idp, messages, sp
from broker.saml.errors import SamlError
from broker.saml.state_ids import new_message_id
from broker.selection.directed import requested
from broker.selection.options import claims_for, option_for, options_for
from broker.storage.state import Participant, Session
from mandates_store import LoginOption

log = logging.getLogger("broker.login")

# A decided step's state writes, called in one transaction once the costly work (store queries,
# signatures) is done; it returns the step's outcome. `stored`: whether the flow has its row yet (a
# step that answers at once never writes one).
Commit = Callable[[], Outcome]


class LoginFlow:
    def __init__(
        self,
        settings,
        metadata,
        policies,
        store,
        state,
        pairwise_secret: bytes,
        session_lifetime: int,
        today=date.today,
        audit=None,
    ):
        self.settings = settings
        self.metadata = metadata
        self.policies = policies
        self.store = store
        self.state = state
        self.pairwise_secret = pairwise_secret
        self.session_lifetime = session_lifetime
        self.today = today
        self.audit = audit  # broker.storage.audit.AuditTrail: every answer and refusal, append-only

    # 1. an application asks
    def start(self, received: bindings.Received, browser: str, session: Session | None) -> Outcome:
        request = idp.receive_authn_request(received, self.settings, self.metadata)
        policy = self.policies.get(request.issuer)
        if policy is None:
            raise _for(SamlError("The application has no policy at this broker.", request.issuer), request.issuer)
        if policy.require_signed_requests and not request.signed:
            raise _for(SamlError("The application must sign its requests.", request.issuer), request.issuer)
        metrics.LOGINS_STARTED.labels(request.issuer).inc()
        levels = authn_context.Levels(self.settings.authn_levels)
        # the class refs that meet both the application's request and the policy's floor
        acceptable = levels.acceptable(request.requested_contexts, request.requested_comparison, policy.authn_context)
        flow_values = dict(
            browser=browser,
            sp_entity_id=request.issuer,
            request_id=request.id,
            acs_url=request.acs_url,
            relay_state=request.relay_state,
            force_authn=int(request.force_authn),
            requested_context=None if acceptable is None else " ".join(acceptable),
            requested_giver=request.requested_giver,
            requested_taker=request.requested_taker,
            switch=int(request.switch),
            requested_name_id=request.subject.value if request.subject else None,
        )
        refusal = idp.refusal(request, policy, self.settings)
        if refusal is not None:  # a valid request the broker cannot fulfil: answered, not refused
            return self._answer_error(self.state.new_flow(**flow_values), *refusal, stored=False)
        if acceptable == ():
            flow = self.state.new_flow(**flow_values)
            return self._answer_error(
                flow, idp.Status.NO_AUTHN_CONTEXT, "requested authentication context not possible", stored=False
            )
        if session is not None and not request.force_authn and self._good_enough(session, acceptable):
            flow = self.state.new_flow(**flow_values)
            return self._committed(self._after_authentication(flow, session, policy, stored=False))
        if request.is_passive:
            flow = self.state.new_flow(**flow_values)
            return self._answer_error(flow, idp.Status.REQUEST_DENIED, "passive login not possible", stored=False)
        return self._ask_upstream(flow_values, policy, request)

    def _good_enough(self, session: Session, acceptable: tuple[str, ...] | None) -> bool:
        """An SSO session weaker than this request needs leads to a new upstream login."""
        return acceptable is None or session.authn_context in acceptable

    def _ask_upstream(self, flow_values: dict, policy: Policy, asked: idp.AuthnRequestIn) -> Outcome:
        upstream = sp.upstream(self.settings, self.metadata)
        contexts = tuple((flow_values["requested_context"] or "").split())
        count = asked.proxy_count - 1 if asked.proxy_count is not None else None
        scoping = sp.Scoping(count, asked.requester_ids + (asked.issuer,))
        request = sp.build_authn_request(self.settings, upstream, contexts, bool(flow_values["force_authn"]), scoping)
        self.state.create_flow(upstream_request_id=messages.id_of(request), **flow_values)
        return carried(
            bindings.outgoing(upstream.sso_endpoint(), request, "SAMLRequest", None, self.settings.signing_key)
        )

    # 2. the upstream authenticator answers
    def upstream_answered(self, received: bindings.Received, browser: str) -> LoggedIn | PostForm:
        """The upstream's answer; a failure (its status, or an answer the broker refuses) is answered
        to the application whose request this browser carries, as the side that received a request
        answers it. Without a known request there is no one to answer: the broker's own page."""
        in_response_to = sp.in_response_to(received)
        flow = self.state.flow_for_upstream(in_response_to, browser) if in_response_to else None
        if flow is None:
            raise SamlError("The sign-in answer does not answer a request of this browser.", str(in_response_to))
        try:
            login = sp.validate_response(
                received,
                self.settings,
                sp.upstream(self.settings, self.metadata),
                flow.upstream_request_id,
                flow.requested_context,
            )
        except SamlError as error:
            return self._upstream_failed(flow, error)
        metrics.UPSTREAM_LATENCY.observe(max(0.0, time.time() - flow.created))
        keep_until = max(login.not_on_or_after.timestamp(), 0) + self.settings.clock_skew
        lifetime = self.session_lifetime
        if login.session_not_on_or_after is not None:  # never outlive the upstream's session
            lifetime = min(lifetime, login.session_not_on_or_after.timestamp() - time.time())
        session = self.state.new_session(
            lifetime,
            person=login.person,
            person_name=login.name,
            authn_context=login.authn_context,
            authn_instant=login.authn_instant,
            upstream_name_id=login.name_id,
            upstream_name_id_format=login.name_id_format,
            upstream_session_index=login.session_index,
        )
        # the session stands even if the answer is refused: the person did authenticate upstream
        try:
            commit = self._after_authentication(flow, session, self.policies.get(flow.sp_entity_id))
        except SamlError as error:
            commit = _refused(error)
        # the replay record, the session and the answer (or the chooser's flow): one transaction
        with self.state.transaction():
            first = self.state.first_sighting(login.assertion_id, keep_until)
            if first:
                self.state.insert_session(session)
                try:
                    then = commit()
                except SamlError as error:  # raised before any of its writes: the session stays
                    then = Refused(error)
        if not first:
            replayed = SamlError("This sign-in answer was used before.", login.assertion_id)
            return self._upstream_failed(flow, replayed)
        log.info("upstream login for flow %s", flow.id)
        return LoggedIn(session, then)

    # 3. selection decides
    def _options(self, flow, session: Session, policy: Policy | None) -> list[LoginOption]:
        return self._asked(flow, session, policy, options_for)

    def _asked(self, flow, session: Session, policy: Policy | None, ask, *key: str):
        """`ask` (selection's options_for, or option_for and the chosen option's key) for this
        person today, under the application's policy."""
        if policy is None:  # the policy was withdrawn since the application asked
            raise SamlError("The application has no policy at this broker.", flow.sp_entity_id)
        with metrics.timed(metrics.STORE_QUERY_TIME):
            return ask(self.store, session.person, session.person_name, self.today(), policy, *key)

    def _after_authentication(self, flow, session: Session, policy: Policy | None, stored: bool = True) -> Commit:
        """`flow`: as just read or built for this browser in the same request."""
        options = self._options(flow, session, policy)
        if not options:
            explanations = self.store.explain_missing(person=session.person, at=self.today(), scope=scope_for(policy))

            def no_option() -> Outcome:
                self._keep_flow(flow, stored, session_id=session.id, choices=json.dumps({}))
                self._audit_refused("no login option", flow.sp_entity_id, session.person)
                return NoOption(flow.sp_entity_id, explanations, flow.id)

            return no_option
        wanted = requested(options, flow.requested_giver, flow.requested_taker)
        if len(wanted) == 1:  # directed login: the application named an option the person has
            return self._prepared_answer(flow, session, wanted[0], policy, stored)
        # a switch always shows the chooser; so does a directed login that found no single option
        quiet = not flow.switch and not flow.requested_giver
        if len(options) == 1 and policy.skip_single_option and quiet:
            return self._prepared_answer(flow, session, options[0], policy, stored)
        choices = {secrets.token_urlsafe(12): option.key for option in options}

        def show_chooser() -> Outcome:
            self._keep_flow(flow, stored, session_id=session.id, choices=json.dumps(choices))
            metrics.CHOOSER_SHOWN.labels(flow.sp_entity_id).inc()
            offered = list(zip(choices, options))  # the tokens in the options' order
            return ShowChooser(flow.id, offered, flow.requested_giver, flow.requested_taker)

        return show_chooser

    def _keep_flow(self, flow, stored: bool, **values) -> None:
        """The flow stays for a later request (the chooser, a denial after no option)."""
        if stored:
            self.state.update_flow(flow.id, **values)
        else:
            self.state.insert_flow(dataclasses.replace(flow, **values))

    def _finish_flow(self, flow, stored: bool) -> bool:
        return self.state.finish_flow(flow.id) if stored else True

    def _committed(self, commit: Commit) -> Outcome:
        with self.state.transaction():
            return commit()

    # The chooser's steps ask the store again on purpose, on every request: a live re-check, so a
    # mandate stopped or a right ended while the chooser is open is neither offered nor accepted.
    # A page asks for every option; the choice asks for the chosen one only (the same rules).
    def chooser(self, flow_id: str, browser: str, session: Session):
        """The flow and its options with their opaque tokens, for the chooser page."""
        flow = self._own_flow(flow_id, browser, session)
        options = self._options(flow, session, self.policies.get(flow.sp_entity_id))
        by_key = {o.key: o for o in options}
        return flow, [(token, by_key[key]) for token, key in flow.choice_map.items() if key in by_key]

    def _own_flow(self, flow_id: str, browser: str, session: Session):
        flow = self.state.flow(flow_id, browser)
        if flow is None or flow.session_id != session.id:
            raise SamlError("This login has expired; please start again from the application.")
        return flow

    def choose(self, flow_id: str, browser: str, session: Session, token: str) -> PostForm:
        flow = self._own_flow(flow_id, browser, session)
        key = flow.choice_map.get(token)
        if key is None:
            raise SamlError("The chosen option is not one the broker offered.")
        policy = self.policies.get(flow.sp_entity_id)
        option = self._asked(flow, session, policy, option_for, key)
        if option is None:
            raise SamlError("The chosen option is no longer valid.")
        return self._committed(self._prepared_answer(flow, session, option, policy))

    def cancel(self, flow_id: str, browser: str, session: Session) -> PostForm:
        flow = self._own_flow(flow_id, browser, session)
        return self._answer_error(flow, idp.Status.REQUEST_DENIED, "no option chosen")

    # 4. saml answers
    def _prepared_answer(
        self, flow, session: Session, option: LoginOption, policy: Policy | None, stored: bool = True
    ) -> Commit:
        """The signed answer, built before the transaction that records it."""
        application = self.metadata.service_provider(flow.sp_entity_id)
        if policy is None or application is None:
            raise SamlError("The application is no longer known to the broker.", flow.sp_entity_id)
        claims = claims_for(option, session.person_name)
        name_id = idp.name_id_for(policy, claims, self.pairwise_secret)
        if not idp.subject_matches(flow.requested_name_id, name_id):  # never an assertion for someone else
            return self._prepared_error(
                flow, idp.Status.AUTHN_FAILED, "the person is not the requested Subject", stored
            )
        session_index = new_message_id()
        with metrics.timed(metrics.SIGNING_TIME):
            response = idp.build_response(
                self.settings,
                application,
                policy,
                flow.request_id,
                flow.acs_url,
                claims,
                name_id,
                idp.Authentication(session.authn_instant, session.authn_context, session_index, session.expires),
            )

        def answered() -> PostForm:  # in the caller's transaction, with its logout record and audit entry
            if not self._finish_flow(flow, stored):
                raise SamlError("This login was already completed.")
            self.state.add_participant(
                Participant(session.id, flow.sp_entity_id, name_id[0], name_id[1], session_index, option.key)
            )
            if self.audit is not None:
                self.audit.issued(flow.sp_entity_id, session.person, option)
            metrics.ASSERTIONS_ISSUED.labels(flow.sp_entity_id, option.kind).inc()
            log.info("assertion issued: application=%s kind=%s", flow.sp_entity_id, option.kind)
            return carried(bindings.posted(flow.acs_url, response, "SAMLResponse", flow.relay_state))

        return answered

    def _answer_error(self, flow, second_level: idp.Status | str, message: str, stored: bool = True) -> PostForm:
        return self._committed(self._prepared_error(flow, second_level, message, stored))

    def _prepared_error(self, flow, second_level: idp.Status | str, message: str, stored: bool = True) -> Commit:
        response = idp.build_error_response(self.settings, flow.request_id, flow.acs_url, second_level, message)

        def answered() -> PostForm:  # the flow ends with its audit entry: both or neither
            if not self._finish_flow(flow, stored):
                raise SamlError("This login was already completed.")
            record = self.state.session_record(flow.session_id) if flow.session_id else None
            self._audit_refused(message, flow.sp_entity_id, record.person if record else None)
            return carried(bindings.posted(flow.acs_url, response, "SAMLResponse", flow.relay_state))

        return answered

    def _upstream_failed(self, flow, error: SamlError) -> PostForm:
        # a second answer for a login the upstream already completed (a double submit, a replay in
        # the same browser) leaves that login alone; an application withdrawn meanwhile gets nothing
        if flow.session_id is not None or self.metadata.service_provider(flow.sp_entity_id) is None:
            raise _for(error, flow.sp_entity_id)
        log.warning("upstream login failed for flow %s, answered to the application: %s", flow.id, error)
        metrics.LOGINS_REFUSED.labels("upstream", error.reason).inc()
        return self._answer_error(flow, sp.status_for_application(error), error.reason)

    def _audit_refused(self, reason: str, application: str, person: str | None) -> None:
        if self.audit is not None:
            self.audit.refused(reason, application, person)


def _refused(error: SamlError) -> Commit:
    return lambda: Refused(error)


def _for(error: SamlError, application: str) -> SamlError:
    """Name the application on a refusal, for the audit trail (the web layer records it)."""
    error.application = application
    return error
