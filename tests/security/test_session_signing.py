"""broker/web/cookie_session.py signs the cookie session with a signer made once and a key derived
once: the cookie stays Flask's own format, read by Flask's stock interface and reading its cookies,
and a cookie signed with another key is refused. flask-login's identifier (broker/web/auth.py) is
not computed: its session protection is off."""

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from broker.web.auth import init_login
from broker.web.cookie_session import CookieSessions


def _app(interface, key="k" * 32) -> Flask:
    app = Flask(__name__)
    app.secret_key = key
    app.session_interface = interface

    @app.route("/set")
    def put():
        session["bid"] = "browser-1"
        return ""

    @app.route("/get")
    def read():
        return session.get("bid", "none")

    return app


def _cookie(app) -> str:
    client = app.test_client()
    client.get("/set")
    return client.get_cookie("session").value


def _read(app, cookie: str) -> str:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/get").get_data(as_text=True)


def test_the_cookie_is_flasks_own_format_both_ways():
    ours, stock = _app(CookieSessions()), _app(SecureCookieSessionInterface())
    assert _read(stock, _cookie(ours)) == "browser-1"
    assert _read(ours, _cookie(stock)) == "browser-1"
    assert _read(ours, _cookie(ours)) == "browser-1"  # the cached signer signs and verifies again


def test_a_cookie_of_another_key_is_refused():
    assert _read(_app(CookieSessions()), _cookie(_app(CookieSessions(), key="x" * 32))) == "none"


def test_a_fallback_key_still_reads_and_the_new_key_signs():
    old = _app(CookieSessions(), key="old" * 11)
    new = _app(CookieSessions(), key="new" * 11)
    new.config["SECRET_KEY_FALLBACKS"] = ["old" * 11]
    assert _read(new, _cookie(old)) == "browser-1"
    assert _read(old, _cookie(new)) == "none"


def test_login_stores_no_client_identifier():
    from flask_login import UserMixin, login_user

    app = _app(CookieSessions())
    init_login(app)

    class User(UserMixin):
        id = "s1"

    with app.test_request_context(headers={"User-Agent": "probe"}):
        login_user(User())
        assert session["_user_id"] == "s1" and session["_id"] == ""
