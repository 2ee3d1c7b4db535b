"""xs:dateTime as SAML uses it: UTC only, strict shape, real calendar dates."""

from datetime import UTC, datetime

import pytest

from broker.saml.errors import SamlError
from broker.saml.timefmt import format_instant, parse_instant


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-24T00:10:13Z", datetime(2026, 11, 24, 0, 10, 13, tzinfo=UTC)),
        ("2026-11-24T00:10:13.5Z", datetime(2026, 11, 24, 0, 10, 13, 500000, tzinfo=UTC)),
        ("2026-11-24T00:10:13.1234567Z", datetime(2026, 11, 24, 0, 10, 13, 123456, tzinfo=UTC)),
        ("2026-11-24T00:10:13+00:00", datetime(2026, 11, 24, 0, 10, 13, tzinfo=UTC)),
        ("2024-02-29T23:59:59Z", datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_accepted(text, expected):
    assert parse_instant(text, "IssueInstant") == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-24T00:10:13Z\n",  # "$" alone would let this through
        "2026-11-24T00:10:13+01:00",  # not UTC
        "2026-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-1-01T00:00:00Z",
        " 2026-01-01T00:00:00Z",
        "",
        None,
    ],
)
def test_refused(text):
    with pytest.raises(SamlError) as caught:
        parse_instant(text, "IssueInstant")
    assert "IssueInstant=" in caught.value.detail


def test_round_trip():
    moment = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    assert parse_instant(format_instant(moment), "x") == moment
