"""The page that posts a SAML message on is filled in by joining escaped strings, not by a Jinja
render per response: what it carries must still reach the form exactly, and never as markup."""

import lxml.html
import pytest

from broker import create_app
from broker.web.i18n import CATALOGUES

HOSTILE = "\"><script>alert(1)</script><input name='x' value='&amp;"


def _page(demo, lang, action, fields):
    app = create_app(demo.broker)
    with app.test_request_context("/saml/sp/acs", method="POST"):
        from flask import url_for

        pages = app.extensions["post_pages"]
        return pages.render(lang, "", lambda f: url_for("static", filename=f), action, fields)


def test_hostile_action_and_fields_arrive_as_text(demo):
    action = "https://sp.example/acs?a=1&b=" + HOSTILE
    fields = {"SAMLResponse": "PD94bWw+" + HOSTILE, "RelayState": HOSTILE}
    html = _page(demo, "nl", action, fields)
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//script/@src") == ["/static/autosubmit.js"]  # the page's one script, nothing injected
    (form,) = doc.forms
    assert form.action == action
    assert dict(form.form_values()) == fields
    assert doc.xpath("//input[@name='x']") == []


def test_each_language_gets_its_own_page(demo):
    pages = {
        lang: lxml.html.fromstring(_page(demo, lang, "https://sp.example/acs", {"SAMLResponse": "x"}))
        for lang in ("nl", "fr", "en")
    }
    assert {lang: doc.get("lang") for lang, doc in pages.items()} == {"nl": "nl", "fr": "fr", "en": "en"}
    sentence = "You are being sent on. If nothing happens, press the button."
    assert pages["en"].xpath("string(//p)") == sentence
    assert pages["fr"].xpath("string(//p)") == CATALOGUES["fr"][sentence]
    assert pages["nl"].xpath("string(//p)") == CATALOGUES["nl"][sentence]


def test_a_base64_value_is_written_as_it_is_and_any_other_escaped(demo):
    import base64
    import copy

    from broker.saml.bindings import Base64Text

    data = bytes(range(256)) * 3
    value = Base64Text(data)
    assert value == base64.b64encode(data).decode()
    assert not set(value) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    html = _page(demo, "fr", "https://sp.example/acs", {"SAMLResponse": value, "RelayState": HOSTILE})
    assert f'name="SAMLResponse" value="{value}"'.encode() in html
    assert dict(lxml.html.fromstring(html).forms[0].form_values()) == {"SAMLResponse": value, "RelayState": HOSTILE}
    with pytest.raises(TypeError):
        Base64Text(HOSTILE)  # only bytes, encoded: a text cannot pass for base64
    assert type(copy.deepcopy(value)) is str  # a copy is escaped again
