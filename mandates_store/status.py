"""A mandate's status, derived from its stored state and the day: no job has to run for expiry."""

from datetime import date

AWAITING_SIGNATURE = "awaiting_signature"
FUTURE_START = "future_start"
ACTIVE = "active"
STOPPED = "stopped"
EXPIRED = "expired"

STATUS_NL = {
    AWAITING_SIGNATURE: "Wacht op ondertekening",
    FUTURE_START: "Startdatum in de toekomst",
    ACTIVE: "Actief",
    STOPPED: "Stopgezet",
    EXPIRED: "Vervallen",
}
STATUSES = tuple(STATUS_NL)


def derive_status(state: str, start: date, end: date | None, day: date) -> str:
    if state == "stopped":
        return STOPPED
    if end is not None and end <= day:
        return EXPIRED
    if state == "awaiting":
        return AWAITING_SIGNATURE
    if start > day:
        return FUTURE_START
    return ACTIVE


def parse_status(text: str) -> str:
    """Accept the English code or the Dutch label."""
    wanted = (text or "").strip().lower()
    for code, label in STATUS_NL.items():
        if wanted in (code, label.lower(), code.replace("_", " ")):
            return code
    from mandates_store.errors import InvalidInput

    raise InvalidInput(
        f"unknown status '{text}' (use one of {', '.join(STATUSES)})",
        f"onbekende status '{text}'",
        field="status",
        value=text,
    )


def status_sql(day_param: str = ":day", prefix: str = "") -> str:
    """The same derivation as SQL over the `mandates` columns, for searching."""
    state, start, end = f"{prefix}state", f"{prefix}start_date", f"{prefix}end_date"
    return (
        f"CASE WHEN {state} = 'stopped' THEN '{STOPPED}' "
        f"WHEN {end} IS NOT NULL AND {end} <= {day_param} THEN '{EXPIRED}' "
        f"WHEN {state} = 'awaiting' THEN '{AWAITING_SIGNATURE}' "
        f"WHEN {start} > {day_param} THEN '{FUTURE_START}' "
        f"ELSE '{ACTIVE}' END"
    )
