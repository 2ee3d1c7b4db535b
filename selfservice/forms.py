"""Reading the pages' forms: dates as people type them (dd/mm/jjjj) and the mandate's fields.

An end date is typed as the last valid day, as every page shows it; the store keeps the exclusive
end (the day after).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from mandates_store.model import LANGUAGES

BAD_DATE, NO_SUCH_DATE, BAD_EMAIL = (
    "Write the date as dd/mm/yyyy.",
    "This date does not exist.",
    "This is not a valid e-mail address.",
)
MESSAGES = (BAD_DATE, NO_SUCH_DATE, BAD_EMAIL)  # translated where they are shown
DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


class FormError(ValueError):
    def __init__(self, field_name: str, message: str, **values):
        super().__init__(message)
        self.field = field_name
        self.message = message
        self.values = values


def parse_day(text: str, field_name: str) -> date | None:
    if not (text or "").strip():
        return None
    match = DATE.match(text)
    if not match:
        raise FormError(field_name, BAD_DATE)
    try:
        return datetime(int(match[3]), int(match[2]), int(match[1])).date()
    except ValueError:
        raise FormError(field_name, NO_SUCH_DATE) from None


@dataclass
class CreateInput:
    start_text: str = ""
    end_text: str = ""
    reference: str = ""
    language: str = "nl"
    types: list[str] = field(default_factory=list)
    role: str = ""
    enterprise: str = ""
    enterprise_name: str = ""
    person_number: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    counterparty: str = ""  # the number found by "Opzoeken"
    email: str = ""
    own_email: str = ""
    mail_language: str = "nl"
    accepted: bool = False

    @classmethod
    def from_form(cls, form) -> "CreateInput":
        language = form.get("language", "nl")
        mail_language = form.get("mail_language", "nl")
        return cls(
            start_text=form.get("start", "").strip(),
            end_text=form.get("end", "").strip(),
            reference=form.get("reference", "").strip()[:100],
            language=language if language in LANGUAGES else "nl",
            types=[t for t in form.getlist("type") if t][:50],
            role=form.get("role", ""),
            enterprise=form.get("enterprise", "").strip(),
            enterprise_name=form.get("enterprise_name", "").strip(),
            person_number=form.get("person_number", "").strip(),
            street=form.get("street", "").strip(),
            house_number=form.get("house_number", "").strip(),
            postcode=form.get("postcode", "").strip(),
            counterparty=form.get("counterparty", "").strip(),
            email=form.get("email", "").strip()[:254],
            own_email=form.get("own_email", "").strip()[:254],
            mail_language=mail_language if mail_language in LANGUAGES else "nl",
            accepted=form.get("accept") == "yes",
        )

    def start(self, today: date) -> date:
        return parse_day(self.start_text, "start") or today

    def end_exclusive(self) -> date | None:
        last = parse_day(self.end_text, "end")
        return last + timedelta(days=1) if last else None


EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def check_email(text: str, field_name: str) -> str | None:
    if not text:
        return None
    if not EMAIL.match(text):
        raise FormError(field_name, BAD_EMAIL)
    return text
