"""The auto-submitted form that carries a SAML message on: post.html rendered once per language and
script root with markers where the action and the hidden fields go, then filled per response by
joining escaped strings. Every login shows this page twice; a Jinja render cost ~0.1 ms each.
The page is bytes, its parts encoded once: the template's text is not all ASCII (the title's dash,
French and German words), which made the whole ~13 KB page a wide string to encode per response."""

from markupsafe import Markup, escape

from broker.web.i18n import translator

_ACTION = Markup("\x00action\x00")
_FIELDS = Markup("\x00fields\x00")


class PostPages:
    def __init__(self, jinja_env):
        self.template = jinja_env.get_template("post.html")
        self.parts: dict[tuple[str, str], tuple[bytes, bytes, bytes]] = {}

    def _parts(self, lang: str, static_url) -> tuple[bytes, bytes, bytes]:
        html = self.template.render(
            action=_ACTION, hidden_fields=_FIELDS, lang=lang, _=translator(lang), static_url=static_url
        )
        head, rest = html.split(_ACTION)
        middle, tail = rest.split(_FIELDS)
        return head.encode(), middle.encode(), tail.encode()

    def render(self, lang: str, script_root: str, static_url, action: str, fields: dict[str, str]) -> bytes:
        """`static_url(filename)`: url_for("static", ...) for this script root."""
        parts = self.parts.get((lang, script_root))
        if parts is None:
            parts = self.parts[(lang, script_root)] = self._parts(lang, static_url)
        hidden = "".join(
            f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in fields.items()
        )
        return b"".join((parts[0], escape(action).encode(), parts[1], hidden.encode(), parts[2]))
