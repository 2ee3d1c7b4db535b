"""The browser's login at the broker: a flask-login user backed by an SSO session in SQLite."""

from flask import current_app
from flask_login import LoginManager, UserMixin

from broker.storage.state import Session


class SessionUser(UserMixin):
    def __init__(self, record: Session):
        self.record = record

    def get_id(self) -> str:
        return self.record.id


def init_login(app) -> None:
    manager = LoginManager()
    manager.session_protection = None  # the session id is random and server-side; IP pinning breaks mobiles

    @manager.user_loader
    def load(session_id: str):
        record = current_app.extensions["state"].session(session_id, current_app.extensions["settings"].idle_timeout)
        return SessionUser(record) if record else None

    manager.init_app(app)
