"""The chooser page shown in the answer to the upstream's login, the usual one (no notice, no
search yet, one page): chooser.html rendered once per language, script root and whether it has a
search box, with markers where the flow, the person, the counts, the CSRF token and the cards go,
then filled per response by joining escaped strings, as post_page.py does for the POST page. Its
cards are rendered by Jinja each time; any other chooser page is rendered by Jinja as a whole."""

import dataclasses
import re

from flask import render_template, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from broker.selection.chooser import ChooserPage
from broker.web.i18n import translator

# The flow's marker passes through url_for unchanged, in a path and in a query; so does a flow id
# of these characters only (any other goes through Jinja).
_FLOW = "flowmarker0chooser"
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")
_PERSON, _CSRF, _CARDS = Markup("\x00person\x00"), Markup("\x00csrf\x00"), Markup("\x00cards\x00")
_SHOWN, _ALL = "\x00shown\x00", "\x00all\x00"
_SLOTS = {_FLOW: "flow", _PERSON: "person", _CSRF: "csrf", _CARDS: "cards", _SHOWN: "shown", _ALL: "all"}
_SPLIT = re.compile("(" + "|".join(re.escape(marker) for marker in _SLOTS) + ")")


class _Count(int):
    """A count that compares as itself and prints as its marker (the search box's sentence)."""

    def __new__(cls, value: int, marker: str):
        count = super().__new__(cls, value)
        count.marker = marker
        return count

    def __str__(self) -> str:
        return self.marker


def _plain(page: ChooserPage) -> bool:
    """What chooser.html shows beyond the cards and the counts depends on the language and
    whether the search box shows (more than five cards) only."""
    return page.requested_missing is None and not page.query and page.pages == 1


class ChooserPages:
    def __init__(self, jinja_env):
        self.cards_template = jinja_env.get_template("_chooser_cards.html")
        self.parts: dict[tuple[str, str, bool], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def _parts(self, page: ChooserPage) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The page's texts between the markers, and which marker follows each text."""
        marked = dataclasses.replace(page, total=_Count(page.total, _SHOWN), all_cards=_Count(page.all_cards, _ALL))
        html = render_template(
            "chooser.html",
            flow_id=_FLOW,
            page=marked,
            person=_PERSON,
            here=url_for("chooser.choose", flow_id=_FLOW),
            moved=True,
            cards=_CARDS,
            csrf_token=lambda: _CSRF,
        )
        pieces = _SPLIT.split(html)
        return tuple(pieces[0::2]), tuple(_SLOTS[marker] for marker in pieces[1::2])

    def _cards(self, lang: str, flow_id: str, page: ChooserPage) -> Markup:
        return Markup(self.cards_template.render(page=page, flow_id=flow_id, _=translator(lang)))

    def whole(self, lang: str, flow_id: str, page: ChooserPage, person: str, moved: bool, cards=None) -> str:
        """The page rendered by Jinja as a whole."""
        here = url_for("chooser.choose", flow_id=flow_id) if moved else None  # None: the request's path
        cards = self._cards(lang, flow_id, page) if cards is None else cards
        return render_template(
            "chooser.html", flow_id=flow_id, page=page, person=person, here=here, moved=moved, cards=cards
        )

    def render(self, lang: str, script_root: str, flow_id: str, page: ChooserPage, person: str, moved: bool) -> str:
        """`moved`: shown in the answer to another URL (see views.chooser_response)."""
        cards = self._cards(lang, flow_id, page)
        if not (moved and _plain(page) and _SAFE_ID.fullmatch(flow_id)):
            return self.whole(lang, flow_id, page, person, moved, cards)
        key = (lang, script_root, page.all_cards > 5)
        parts = self.parts.get(key)
        if parts is None:
            parts = self.parts[key] = self._parts(page)
        texts, slots = parts
        values = {
            "flow": flow_id,
            "person": escape(person),
            "csrf": escape(generate_csrf()),
            "cards": cards,
            "shown": str(page.total),
            "all": str(page.all_cards),
        }
        out = [texts[0]]
        for slot, text in zip(slots, texts[1:], strict=True):
            out += (values[slot], text)
        return "".join(out)
