"""The browser's login at the broker: a flask-login user backed by an SSO session in SQLite."""

from flask_login import LoginManager, UserMixin

from broker.storage.state import Session


class SessionUser(UserMixin):
    def __init__(self, record: Session):
        self.record = record

    def get_id(self) -> str:
        return self.record.id


def _no_identifier() -> str:
    """flask-login hashes the client's address and User-Agent (SHA-512) into the cookie at login and
    again at each user lookup, for its session protection only, which is off here: nothing reads it."""
    return ""


def init_login(app) -> None:
    manager = LoginManager()
    manager.session_protection = None  # the session id is random and server-side; IP pinning breaks mobiles
    manager._session_identifier_generator = _no_identifier
    extensions = app.extensions

    @manager.user_loader
    def load(session_id: str):
        record = extensions["state"].session(session_id, extensions["settings"].idle_timeout)
        return SessionUser(record) if record else None

    manager.init_app(app)
