"""Levels of assurance: which AuthnContextClassRefs satisfy an application's RequestedAuthnContext.

The operator orders levels from weak to strong (the authn_levels setting), each with the class refs the upstream
may answer for it. A request (class refs and a Comparison, SAML core 3.3.2.2.1) and the policy's
floor reduce to the set of class refs the broker accepts: that set is what it asks its upstream
for (Comparison exact, which every IdP understands the same), what it demands in the answer, and
what an SSO session's context must be in.
"""

from broker.saml.errors import SamlError

COMPARISONS = ("exact", "minimum", "maximum", "better")


class Levels:
    def __init__(self, levels: tuple[tuple[str, ...], ...]):
        """levels: weak to strong, each the class refs that stand for it."""
        self.levels = tuple(tuple(refs) for refs in levels)
        self.rank = {ref: number for number, refs in enumerate(self.levels) for ref in refs}

    def _from(self, low: int, high: int) -> list[str]:
        return [ref for refs in self.levels[max(low, 0) : high + 1] for ref in refs]

    def acceptable(self, requested: tuple[str, ...], comparison: str, floor: str | None) -> tuple[str, ...] | None:
        """The class refs that satisfy both; None: anything does (nothing asked, no floor)."""
        if comparison not in COMPARISONS:
            raise SamlError("The request asks for an unknown comparison of authentication contexts.", comparison)
        wanted = self._requested(tuple(r for r in requested if r), comparison)
        if floor:
            floor_refs = self._from(self.rank[floor], len(self.levels)) if floor in self.rank else [floor]
            wanted = floor_refs if wanted is None else [r for r in wanted if r in floor_refs]
        return None if wanted is None else tuple(dict.fromkeys(wanted))

    def _requested(self, requested: tuple[str, ...], comparison: str) -> list[str] | None:
        if not requested:
            return None
        if comparison == "exact":
            return list(requested)
        ranks = [self.rank[r] for r in requested if r in self.rank]  # an unknown ref cannot be compared
        if not ranks:
            return []
        if comparison == "minimum":  # at least as strong as one of them
            return self._from(min(ranks), len(self.levels))
        if comparison == "better":  # stronger than each of them
            return self._from(max(ranks) + 1, len(self.levels))
        return list(reversed(self._from(0, max(ranks))))  # maximum: the strongest first, none beyond
