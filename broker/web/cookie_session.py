"""Flask's signed-cookie sessions, with the signing serializer built once per app and plain JSON.

Flask builds the serializer anew when it opens and when it saves each request's session; the
secret keys never change while the app runs, so once is enough. Every value the broker, flask-login
and Flask-WTF keep in the session is a string or a boolean, so plain JSON does; Flask's tagged JSON
walks every value to look for tuples, bytes and dates that never come, and reads plain JSON alike.
"""

import json

from flask.sessions import SecureCookieSessionInterface


class _PlainJson:
    @staticmethod
    def dumps(value) -> str:
        return json.dumps(value, separators=(",", ":"))

    @staticmethod
    def loads(value):
        return json.loads(value)


class CookieSessions(SecureCookieSessionInterface):
    serializer = _PlainJson()

    def get_signing_serializer(self, app):
        serializer = app.extensions.get("session_serializer")
        if serializer is None:
            serializer = app.extensions["session_serializer"] = super().get_signing_serializer(app)
        return serializer
