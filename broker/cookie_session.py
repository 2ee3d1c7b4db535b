"""Flask's signed-cookie sessions, with the signing serializer built once per app.

Flask builds it anew when it opens and when it saves each request's session; the secret keys
never change while the app runs, so once is enough.
"""

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def get_signing_serializer(self, app):
        serializer = app.extensions.get("session_serializer")
        if serializer is None:
            serializer = app.extensions["session_serializer"] = super().get_signing_serializer(app)
        return serializer
