"""Directed login: the options that fit the giver (and taker) an application asked for.

Only ever a subset of the person's own options, so a request can narrow the choice, never widen it.
"""

from mandates_store import LoginOption


def requested(options: list[LoginOption], giver: str | None, taker: str | None) -> list[LoginOption]:
    if not giver:
        return []
    return [
        option
        for option in options
        if option.represented.number == giver
        and (not taker or (option.intermediary is not None and option.intermediary.number == taker))
    ]
