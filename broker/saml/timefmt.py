"""SAML's xs:dateTime, always in UTC."""

import re
from datetime import UTC, datetime

from broker.saml.errors import SamlError

_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]00:00)?$")


def format_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: str | None, what: str) -> datetime:
    match = _DATETIME.fullmatch(value or "")  # fullmatch: "$" alone lets a trailing newline through
    if not match:
        raise SamlError("The SAML message carries an invalid time.", f"{what}={value!r}")
    try:
        moment = datetime(*(int(part) for part in match.groups()[:6]), tzinfo=UTC)
    except ValueError:  # the right shape, an impossible date (month 13, hour 99)
        raise SamlError("The SAML message carries an invalid time.", f"{what}={value!r}") from None
    if match.group(7):
        moment = moment.replace(microsecond=int((match.group(7)[1:] + "000000")[:6]))
    return moment
