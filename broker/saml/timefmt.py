"""SAML's xs:dateTime, always in UTC."""

import re
from datetime import datetime, timezone

from broker.saml.errors import SamlError

_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]00:00)?$")


def format_instant(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: str | None, what: str) -> datetime:
    match = _DATETIME.match(value or "")
    if not match:
        raise SamlError("The SAML message carries an invalid time.", f"{what}={value!r}")
    try:
        moment = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:  # the right shape, an impossible date (month 13, hour 99)
        raise SamlError("The SAML message carries an invalid time.", f"{what}={value!r}") from None
    if match.group(2):
        moment = moment.replace(microsecond=int((match.group(2)[1:] + "000000")[:6]))
    return moment
