"""Periods: `from` inclusive, `until` exclusive (the first day it no longer holds)."""

from datetime import date, timedelta

from mandates_store.errors import InvalidInput


def last_valid_day(valid_until: date) -> date:
    """What a person reads: the last day a period holds ("tot en met"), the day before its
    stored, exclusive end. Data and SAML attributes keep the exclusive date (MandateValidUntil
    is already the last valid day, see broker.selection.options.claims_for)."""
    return valid_until - timedelta(days=1)


def holds_on(valid_from: date, valid_until: date | None, day: date) -> bool:
    return valid_from <= day and (valid_until is None or day < valid_until)


def check_period(valid_from: date, valid_until: date | None, what: str, what_nl: str) -> None:
    if valid_from is None:
        raise InvalidInput(
            f"{what}: a begin date is required", f"{what_nl}: een begindatum is verplicht", field="valid_from"
        )
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput(
            f"{what}: the end date {valid_until} must be after the begin date {valid_from}",
            f"{what_nl}: de einddatum {valid_until:%d/%m/%Y} moet na de begindatum {valid_from:%d/%m/%Y} liggen",
            field="valid_until",
            value=valid_until,
        )


def overlaps(a_from: date, a_until: date | None, b_from: date, b_until: date | None) -> bool:
    return (b_until is None or a_from < b_until) and (a_until is None or b_from < a_until)
