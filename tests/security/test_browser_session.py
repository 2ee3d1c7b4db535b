"""The broker's browser session: cookie flags, a fresh session at login, CSRF on every form,
security headers, lifetime and idle timeout (enforced server-side in SQLite)."""

import re

import pytest

from mandates_store import demo_data as d
from tests.conftest import APP, BROKER, UPSTREAM
from tests.security.forge import genuine, post_acs, start_login


@pytest.fixture
def demo(demo_on_both_engines):
    """The broker's state on SQLite, then on PostgreSQL: these tests read it."""
    return demo_on_both_engines


def login(browser, demo, person=d.PERSON_EXECUTOR):
    return post_acs(browser, genuine(demo, start_login(browser), person))


def test_cookie_flags(broker_with):
    browser, apps = broker_with(SESSION_COOKIE_SECURE=True)
    client = apps["broker"].test_client()
    response = client.get("/saml/idp/sso?SAMLRequest=x")  # any visit creates the browser id
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("broker_session=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=None" in cookie
    browser2, apps2 = broker_with(SESSION_COOKIE_SECURE=False)
    cookie = apps2["broker"].test_client().get("/saml/idp/sso?SAMLRequest=x").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie and "SameSite=Lax" in cookie


def test_new_session_at_login(browser, parties, demo):
    client = browser.clients["localhost:8080"]
    start = start_login(browser)
    with client.session_transaction() as before:
        before["planted"] = "by an attacker before the login"
        bid = before["bid"]
    post_acs(browser, genuine(demo, start, d.PERSON_EXECUTOR))
    with client.session_transaction() as after:
        assert "planted" not in after and after["bid"] == bid
        assert (
            after["_user_id"]
            == parties["broker"].extensions["state"].conn.execute("SELECT id FROM sessions").fetchone()[0]
        )


def test_every_chooser_form_carries_a_csrf_token_and_needs_it(browser, parties, demo):
    page = login(browser, demo)
    forms = [f for f in page.doc.forms if f.method.upper() == "POST"]
    assert forms and all(f.inputs["csrf_token"].value for f in forms)
    form = forms[-1]
    data = dict(form.form_values())
    token = data.pop("csrf_token")
    data["option"] = next(v for v in page.doc.xpath("//button[@name='option']/@value"))
    assert browser.go("POST", page.url, data).status == 400
    assert browser.go("POST", page.url, dict(data, csrf_token=token[:-2] + "xx")).status == 400
    assert not any(u.startswith(APP + "/saml/acs") for _, u in browser.visits)


def test_security_headers(browser, parties, demo):
    page_response = browser.clients["localhost:8080"].get("/logged-out")
    csp = page_response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert page_response.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in page_response.headers  # http: the demo
    page = login(browser, demo)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page.text)  # no inline script on the chooser
    assert not re.search(r"\son[a-z]+\s*=", page.text)


def test_hsts_on_https(broker_with):
    browser, apps = broker_with(BASE_URL="https://broker.example")
    response = apps["broker"].test_client().get("/logged-out", base_url="https://broker.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("column,shift", [("last_seen", 3601), ("expires", 8 * 3600 + 1)], ids=["idle", "lifetime"])
def test_session_idle_timeout_and_lifetime(browser, parties, demo, column, shift):
    assert login(browser, demo, d.PERSON_OWN_NAME_ONLY).url == APP + "/"
    again = browser.get("http://localhost:8001/login")  # the second application: SSO while the session lives
    assert again.url.startswith(BROKER) and not any(u.startswith(UPSTREAM + "/sso") for _, u in browser.visits[-3:])
    state = parties["broker"].extensions["state"]
    state.conn.execute(f"UPDATE sessions SET {column} = {column} - ?", (shift,))
    third = browser.get(APP + "/login")
    assert third.url.startswith(UPSTREAM + "/sso"), third.url  # the session no longer counts
