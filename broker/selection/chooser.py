"""The chooser's page model: one card per represented party, search, paging.

"Mandaat via <taker>" when one option stands behind a card ("Mandaat aan jou" when the taker is the
person themself), "Meerdere mandaten mogelijk" when
several takers hold a mandate from that giver for this user: that card opens a second screen.
Cards come in a fixed order (own name, then organisations the person belongs to, then givers by
name) so a person with thousands of givers finds them where they expect, page after page.
"""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from broker.selection.directed import requested
from mandates_store import KIND_ORDER, LoginOption, Party

PAGE_SIZE = 25
QUERY_MAX = 100


@dataclass(frozen=True)
class Card:
    represented: Party
    options: tuple[tuple[str, LoginOption], ...]  # (opaque token, option)

    @property
    def single(self) -> tuple[str, LoginOption] | None:
        return self.options[0] if len(self.options) == 1 else None


@dataclass(frozen=True)
class ChooserPage:
    cards: tuple[Card, ...]
    query: str
    page: int
    pages: int
    total: int
    all_cards: int = 0  # before the search: the search box shows only when it helps
    requested_missing: str | None = None  # the number an application asked for that has no option


_IGNORED = str.maketrans("", "", " .-")


@lru_cache(maxsize=65536)  # party names repeat on every page view; a chooser may list thousands
def folded(text: str) -> str:
    """Case- and accent-insensitive, spaces and dots ignored: "Emmaüs" is found by "emmaus"."""
    text = text.casefold()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.translate(_IGNORED)


def _sort_key(option: LoginOption) -> tuple:
    return (
        KIND_ORDER[option.kind],
        folded(option.represented.name),
        option.represented.number,
        folded(option.intermediary.name) if option.intermediary else "",
    )


def _groups(options: list[tuple[str, LoginOption]]) -> list[list[tuple[str, LoginOption]]]:
    """Options grouped by represented party and kind of link, in the fixed order above."""
    groups: dict[tuple[str, str], list] = {}
    for token, option in sorted(options, key=lambda pair: _sort_key(pair[1])):
        groups.setdefault((option.represented.number, option.kind), []).append((token, option))
    return list(groups.values())


def _card(group: list[tuple[str, LoginOption]]) -> Card:
    return Card(group[0][1].represented, tuple(group))


def _cards(options: list[tuple[str, LoginOption]]) -> list[Card]:
    return [_card(group) for group in _groups(options)]


def _matches(group, needle: str) -> bool:
    party = group[0][1].represented
    return needle in folded(party.name) or needle in party.number


def chooser_page(
    options: list[tuple[str, LoginOption]],
    query: str | None = None,
    page: str = "1",
    giver: str | None = None,
    taker: str | None = None,
) -> ChooserPage:
    """`query` None means the person did not search: a directed login then pre-fills the number."""
    groups = _groups(options)
    missing = None
    if giver:
        fits = requested([option for _, option in options], giver, taker)
        if not fits:
            missing = giver
        elif query is None:
            query = giver
    query = (query or "").strip()[:QUERY_MAX]
    shown = groups
    if query:
        needle = folded(query)
        shown = [g for g in groups if _matches(g, needle)]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    number = min(max(number, 1), pages)
    start = (number - 1) * PAGE_SIZE
    # only the shown page becomes Card objects: a chooser may hold thousands of givers
    cards = tuple(_card(group) for group in shown[start : start + PAGE_SIZE])
    return ChooserPage(cards, query, number, pages, len(shown), len(groups), missing)


def taker_page(options: list[tuple[str, LoginOption]], giver: str) -> Card | None:
    """The second screen: every mandate from one giver, one line per taker."""
    for card in _cards(options):
        if card.represented.number == giver and len(card.options) > 1:
            return card
    return None
