"""The chooser's page model: one card per represented party, search, paging.

"Mandaat via <taker>" when one option stands behind a card, "Meerdere mandaten mogelijk" when
several takers hold a mandate from that giver for this user: that card opens a second screen.
"""

from dataclasses import dataclass

from mandates_store import LoginOption, Party

PAGE_SIZE = 25


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


def _cards(options: list[tuple[str, LoginOption]]) -> list[Card]:
    """Grouped by represented party, in the order the options came (own name first)."""
    groups: dict[tuple[str, str], list] = {}
    order: list[Party] = []
    for token, option in options:
        group_key = (option.represented.number, option.kind if option.kind != "mandate" else "mandate")
        if group_key not in groups:
            groups[group_key] = []
            order.append((group_key, option.represented))
        groups[group_key].append((token, option))
    return [Card(party, tuple(groups[key])) for key, party in order]


def _matches(card: Card, query: str) -> bool:
    needle = query.casefold().replace(".", "").replace(" ", "")
    hay = (card.represented.name.casefold().replace(" ", ""), card.represented.number)
    return any(needle in h for h in hay)


def chooser_page(options: list[tuple[str, LoginOption]], query: str = "", page: str = "1") -> ChooserPage:
    cards = _cards(options)
    query = query.strip()[:100]
    if query:
        cards = [c for c in cards if _matches(c, query)]
    pages = max(1, -(-len(cards) // PAGE_SIZE))
    number = int(page) if page.isdigit() else 1
    number = min(max(number, 1), pages)
    start = (number - 1) * PAGE_SIZE
    return ChooserPage(tuple(cards[start:start + PAGE_SIZE]), query, number, pages, len(cards))


def taker_page(options: list[tuple[str, LoginOption]], giver: str) -> Card | None:
    """The second screen: every mandate from one giver, one line per taker."""
    for card in _cards(options):
        if card.represented.number == giver and len(card.options) > 1:
            return card
    return None
