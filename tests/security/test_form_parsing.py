"""The broker's form bodies (broker/web/forms.py) parse exactly as Werkzeug's parse_qsl call did:
its short cut for base64's escapes must never give another value, nor lift a check."""

import base64
import urllib.parse

from hypothesis import given
from hypothesis import strategies as st

from broker import create_app
from broker.web.forms import FormParser, parse_urlencoded

EXAMPLES = [
    "",
    "&&",
    "a",
    "a=",
    "=b",
    "a=b=c",
    "a=1&a=2",
    "+%2B+",
    "%2",
    "%",
    "%%2B",
    "%252B",
    "%2b%2f%3d",
    "%2B%C3%A9",
    "%FF%2B",
    "%zz%2B",
    "é=%2Bè",
    "SAMLResponse=" + urllib.parse.quote_plus(base64.b64encode(bytes(range(256)) * 20).decode()),
]


def _werkzeug(text: str):
    return urllib.parse.parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")


def test_the_examples_parse_as_werkzeug_parses_them():
    for text in EXAMPLES:
        assert parse_urlencoded(text) == _werkzeug(text), text


@given(st.text(alphabet="%2BF3Dbfd+&=aé%C9\x00 ", max_size=40))
def test_any_text_of_escapes_and_separators_parses_as_werkzeug_parses_it(text):
    assert parse_urlencoded(text) == _werkzeug(text)


def test_the_brokers_requests_use_it_and_keep_werkzeugs_rules(demo):
    app = create_app(demo.broker)
    assert app.request_class.form_data_parser_class is FormParser
    value = base64.b64encode(bytes(range(256)) * 40).decode()
    body = urllib.parse.urlencode({"SAMLResponse": value, "RelayState": "a b&c"})
    urlencoded = "application/x-www-form-urlencoded"
    with app.test_request_context("/saml/sp/acs", method="POST", data=body, content_type=urlencoded):
        from flask import request

        assert request.form.to_dict() == {"SAMLResponse": value, "RelayState": "a b&c"}
    with app.test_request_context("/saml/sp/acs", method="POST", data=body, content_type="text/plain"):
        assert request.form.to_dict() == {}  # another content type: no form, as Werkzeug
    with app.test_request_context("/saml/sp/acs", method="POST", data=b"a=\xff\xfe", content_type=urlencoded):
        assert request.form.to_dict() == {}  # not UTF-8: an empty form, as Werkzeug
    multipart = {"SAMLResponse": "YQ==", "RelayState": "r"}
    with app.test_request_context("/saml/sp/acs", method="POST", data=multipart):
        assert request.form.to_dict() == multipart  # multipart still Werkzeug's own parser
