"""The login coordinator on its own: which step follows which, with the saml and selection work faked."""

from dataclasses import dataclass

import pytest

from broker import login_flow
from broker.login_flow import LoginFlow
from broker.outcomes import LoggedIn, NoOption, PostForm, Redirect, Refused, ShowChooser
from broker.policy import Policy
from broker.saml import idp, ns
from broker.saml.errors import SamlError
from tests.flow import fakes
from tests.flow.fakes import ACS, APP, OWN, PERSON, WORK, Answer

BROWSER = "browser-1"


@dataclass
class World:
    flow: LoginFlow
    policies: fakes.Policies
    metadata: fakes.Metadata
    options: fakes.Options
    audit: fakes.Audit
    saml: fakes.Saml


@pytest.fixture
def world(open_state, monkeypatch):
    """The flow on a real StateStore, on each engine in turn (conftest's state_location)."""
    saml = fakes.Saml()
    saml.install(monkeypatch)
    options = fakes.Options()
    monkeypatch.setattr(login_flow, "options_for", options)
    monkeypatch.setattr(login_flow, "option_for", options.one)
    policies, metadata, audit = fakes.Policies(Policy(APP)), fakes.Metadata(), fakes.Audit()
    flow = LoginFlow(fakes.settings(), metadata, policies, fakes.Store(), open_state(), b"secret", 3600, audit=audit)
    return World(flow, policies, metadata, options, audit, saml)


def sign_in(world: World, **request_values) -> LoggedIn:
    """An application asks, the person signs in upstream; the upstream's answer comes back."""
    sent = world.flow.start(fakes.request(**request_values), BROWSER, None)
    assert isinstance(sent, Redirect)
    return world.flow.upstream_answered(Answer(f"_up{world.saml.requests}"), BROWSER)


def test_one_option_is_answered_at_once(world):
    outcome = sign_in(world)
    assert isinstance(outcome, LoggedIn) and outcome.session.person == PERSON
    answer = outcome.then  # computed by the flow: the view only renders it
    assert isinstance(answer, PostForm) and answer.action == ACS
    assert answer.fields["SAMLResponse"] == {"InResponseTo": "_req1", "LoginKind": "own_name", "LegalSubjectID": PERSON}
    assert answer.fields["RelayState"] == "rs"
    assert world.audit.answers == [(APP, PERSON, "own")]


def test_an_existing_session_is_answered_without_asking_upstream(world):
    session = sign_in(world, id="_first").session
    assert isinstance(world.flow.start(fakes.request(id="_second"), BROWSER, session), PostForm)
    assert world.saml.requests == 1


def test_several_options_show_the_chooser_with_opaque_tokens(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    outcome = sign_in(world)
    assert isinstance(outcome.then, ShowChooser)
    flow, offered = world.flow.chooser(outcome.then.flow_id, BROWSER, outcome.session)
    assert [option for _, option in offered] == [OWN, WORK]
    tokens = [token for token, _ in offered]
    assert len(set(tokens)) == 2 and not any(o.key in t for t in tokens for o in (OWN, WORK))
    answer = world.flow.choose(flow.id, BROWSER, outcome.session, tokens[1])
    assert isinstance(answer, PostForm) and answer.fields["SAMLResponse"]["LoginKind"] == "work_relationship"


def test_no_option_is_explained_and_audited(world):
    world.options.by_person[PERSON] = []
    outcome = sign_in(world)
    assert isinstance(outcome.then, NoOption)
    assert outcome.then.application == APP and outcome.then.explanations == [f"nothing for {PERSON}"]
    assert world.audit.refusals == [("no login option", APP, PERSON)]
    assert world.audit.answers == []


def test_a_token_the_broker_did_not_offer_is_refused(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    outcome = sign_in(world)
    with pytest.raises(SamlError, match="not one the broker offered"):
        world.flow.choose(outcome.then.flow_id, BROWSER, outcome.session, "own")


def test_an_option_ended_while_the_chooser_is_open_is_neither_offered_nor_accepted(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    outcome = sign_in(world)
    flow_id = outcome.then.flow_id
    _, offered = world.flow.chooser(flow_id, BROWSER, outcome.session)
    world.options.by_person[PERSON] = [OWN]  # the work relationship ended meanwhile
    assert [o for _, o in world.flow.chooser(flow_id, BROWSER, outcome.session)[1]] == [OWN]
    with pytest.raises(SamlError, match="no longer valid"):
        world.flow.choose(flow_id, BROWSER, outcome.session, offered[1][0])
    assert world.options.asked_for == [WORK.key]  # the choice re-checks the option chosen


def test_a_switch_always_shows_the_chooser(world):
    assert isinstance(sign_in(world, switch=True).then, ShowChooser)


def test_a_directed_login_answers_the_option_asked_for(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    answer = sign_in(world, requested_giver=WORK.represented.number).then
    assert isinstance(answer, PostForm) and answer.fields["SAMLResponse"]["LegalSubjectID"] == WORK.represented.number


def test_passive_without_a_session_is_denied(world):
    answer = world.flow.start(fakes.request(is_passive=True), BROWSER, None)
    assert isinstance(answer, PostForm) and answer.action == ACS
    assert answer.fields["SAMLResponse"]["Status"] == idp.Status.REQUEST_DENIED
    assert world.audit.refusals == [("passive login not possible", APP, None)]
    assert world.saml.requests == 0


def test_cancel_in_the_chooser_is_denied(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    outcome = sign_in(world)
    answer = world.flow.cancel(outcome.then.flow_id, BROWSER, outcome.session)
    assert answer.fields["SAMLResponse"]["Status"] == idp.Status.REQUEST_DENIED
    assert world.audit.refusals == [("no option chosen", APP, PERSON)]


def test_the_policy_is_looked_up_once_per_request(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    counts = []

    def counted(step):
        world.policies.calls = 0
        result = step()
        counts.append(world.policies.calls)
        return result

    outcome = counted(lambda: sign_in(world))  # two requests: start, then the upstream's answer
    flow_id, session = outcome.then.flow_id, outcome.session
    _, offered = counted(lambda: world.flow.chooser(flow_id, BROWSER, session))
    counted(lambda: world.flow.choose(flow_id, BROWSER, session, offered[0][0]))
    counted(lambda: world.flow.start(fakes.request(id="_again"), BROWSER, session))  # answered at once
    assert counts == [2, 1, 1, 1]


def test_an_unknown_application_is_refused_at_the_start(world):
    world.policies.by_entity.clear()
    with pytest.raises(SamlError, match="has no policy at this broker") as refusal:
        world.flow.start(fakes.request(), BROWSER, None)
    assert refusal.value.application == APP


def test_a_policy_withdrawn_during_the_sign_in_is_refused_after_the_session_starts(world):
    world.flow.start(fakes.request(), BROWSER, None)
    world.policies.by_entity.clear()
    outcome = world.flow.upstream_answered(Answer("_up1"), BROWSER)
    assert isinstance(outcome, LoggedIn) and outcome.session.person == PERSON
    assert isinstance(outcome.then, Refused)
    assert outcome.then.error.reason == "The application has no policy at this broker."


def test_a_policy_withdrawn_while_the_chooser_is_open_is_refused(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    outcome = sign_in(world)
    _, offered = world.flow.chooser(outcome.then.flow_id, BROWSER, outcome.session)
    world.policies.by_entity.clear()
    with pytest.raises(SamlError, match="has no policy at this broker"):
        world.flow.choose(outcome.then.flow_id, BROWSER, outcome.session, offered[0][0])


def test_an_application_gone_from_metadata_is_no_longer_known(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    outcome = sign_in(world)
    _, offered = world.flow.chooser(outcome.then.flow_id, BROWSER, outcome.session)
    world.metadata.applications.clear()
    with pytest.raises(SamlError, match="no longer known to the broker"):
        world.flow.choose(outcome.then.flow_id, BROWSER, outcome.session, offered[0][0])


def test_an_answer_to_another_browser_is_refused(world):
    world.flow.start(fakes.request(), BROWSER, None)
    with pytest.raises(SamlError, match="does not answer a request of this browser"):
        world.flow.upstream_answered(Answer("_up1"), "another-browser")


def test_a_replayed_answer_is_answered_to_the_application_as_failed(world):
    sign_in(world)
    world.flow.start(fakes.request(id="_req2"), BROWSER, None)
    answer = world.flow.upstream_answered(Answer("_up2"), BROWSER)  # the same assertion ID again
    assert isinstance(answer, PostForm) and answer.fields["SAMLResponse"]["InResponseTo"] == "_req2"
    assert answer.fields["SAMLResponse"]["Status"] == ns.STATUS_AUTHN_FAILED
    assert world.audit.refusals == [("This sign-in answer was used before.", APP, None)]


def test_an_answer_again_for_a_login_past_the_upstream_leaves_it_alone(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    sign_in(world)  # at the chooser
    with pytest.raises(SamlError, match="used before") as refusal:
        world.flow.upstream_answered(Answer("_up1"), BROWSER)  # a double submit of the same answer
    assert refusal.value.application == APP and world.audit.refusals == []


def test_a_login_is_answered_once(world):
    world.options.by_person[PERSON] = [OWN, WORK]
    outcome = sign_in(world)
    _, offered = world.flow.chooser(outcome.then.flow_id, BROWSER, outcome.session)
    world.flow.choose(outcome.then.flow_id, BROWSER, outcome.session, offered[0][0])
    with pytest.raises(SamlError):
        world.flow.choose(outcome.then.flow_id, BROWSER, outcome.session, offered[0][0])
    assert len(world.audit.answers) == 1
