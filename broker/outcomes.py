"""What a login or logout step asks the web layer to do; the flows return these, the views render them."""

from dataclasses import dataclass, field

from broker.saml.bindings import Outgoing
from broker.saml.errors import SamlError
from broker.storage.state import Session


@dataclass
class Redirect:
    url: str


@dataclass
class PostForm:
    action: str
    fields: dict[str, str]


@dataclass
class ShowChooser:
    """The chooser for `flow_id`; `options` (opaque token, option) as just computed, so the web layer
    shows the page in this response instead of a redirect to it."""

    flow_id: str
    options: list = field(default_factory=list)
    giver: str | None = None  # what a directed login asked for
    taker: str | None = None


@dataclass
class NoOption:
    application: str
    explanations: list = field(default_factory=list)
    flow_id: str = ""  # lets the person send the application a denial instead of being stuck


@dataclass
class Refused:
    """A refusal after the session started: the person did authenticate upstream, so the session stands."""

    error: SamlError


@dataclass
class LoggedIn:
    """The person authenticated upstream: the web layer starts `session`, then renders `then`.

    `then` is already computed (it reads only the Session record, never the web login state).
    """

    session: Session
    then: "Redirect | PostForm | ShowChooser | NoOption | Refused"


Outcome = Redirect | PostForm | ShowChooser | NoOption | LoggedIn


def carried(message: Outgoing) -> Redirect | PostForm:
    """A SAML message as the browser carries it: by redirect, or by an auto-submitted form."""
    if message.fields is None:
        return Redirect(message.url)
    return PostForm(message.url, message.fields)
