"""Normalise and check Belgian identifiers: enterprise numbers (KBO) and national register / BIS numbers.

Both use a mod-97 check. Input may carry dots, dashes, spaces, a `BE` prefix (enterprises) or
miss the leading zero of an enterprise number; the normalised form is plain digits.
"""

import re

from mandates_store.errors import InvalidIdentifier

PERSON = "person"
ORGANISATION = "organisation"

_SEPARATORS = re.compile(r"[\s.\-/]")


def ascii_digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() is true for other scripts' digits too, which int() reads
    ('٠٨٠٦١٥٤٠٣٣' as 806154033), and for superscripts, which int() refuses with a ValueError."""
    return text.isascii() and text.isdigit()


def _digits(value: object) -> str:
    if type(value) is str and ascii_digits(value):  # already plain digits (bulk files): no regex
        return value
    text = _SEPARATORS.sub("", str(value if value is not None else "")).strip()
    if text[:2].upper() == "BE":
        text = text[2:]
    return text


def _check_enterprise(digits: str) -> bool:
    value = int(digits)  # one conversion: the first eight digits and the last two by arithmetic
    return 97 - value // 100 % 97 == value % 100


def _check_person(digits: str) -> bool:
    # People born from 2000 on get a "2" in front of the first nine digits.
    expected = int(digits[9:])
    return 97 - int(digits[:9]) % 97 == expected or 97 - int("2" + digits[:9]) % 97 == expected


def enterprise_number(value: object, field: str = "enterprise number") -> str:
    """`0806.154.033`, `BE0806154033`, `806154033` -> `0806154033`, or InvalidIdentifier."""
    digits = _digits(value)
    if not ascii_digits(digits) or len(digits) not in (9, 10):
        raise _invalid(field, value, "must be 10 digits", "moet uit 10 cijfers bestaan")
    digits = digits.zfill(10)
    if not _check_enterprise(digits):
        raise _invalid(field, value, "fails the mod-97 check", "heeft een foutief controlegetal")
    return digits


def person_number(value: object, field: str = "national number") -> str:
    """`88.01.22-265.57` -> `88012226557`, or InvalidIdentifier."""
    digits = _digits(value)
    if not ascii_digits(digits) or len(digits) != 11:
        raise _invalid(field, value, "must be 11 digits", "moet uit 11 cijfers bestaan")
    if not _check_person(digits):
        raise _invalid(field, value, "fails the mod-97 check", "heeft een foutief controlegetal")
    return digits


def party_number(value: object, field: str = "party number") -> tuple[str, str]:
    """Either kind of number -> (normalised number, "person" | "organisation")."""
    if type(value) is str and len(value) == 10 and ascii_digits(value) and _check_enterprise(value):
        return value, ORGANISATION  # already normalised (a bulk file's usual line): nothing to redo
    digits = _digits(value)
    if ascii_digits(digits) and len(digits) == 11:
        return person_number(value, field), PERSON
    if ascii_digits(digits) and len(digits) in (9, 10):
        return enterprise_number(value, field), ORGANISATION
    raise _invalid(
        field,
        value,
        "is neither a national register/BIS number (11 digits) nor an enterprise number (10 digits)",
        "is geen rijksregister-/bisnummer (11 cijfers) of ondernemingsnummer (10 cijfers)",
    )


def with_check_digits(prefix: str) -> str:
    """Complete 8 (enterprise) or 9 (person, born before 2000) digits with their check digits."""
    if len(prefix) == 8:
        return prefix + f"{97 - int(prefix) % 97:02d}"
    if len(prefix) == 9:
        return prefix + f"{97 - int(prefix) % 97:02d}"
    raise ValueError("prefix must have 8 or 9 digits")


def _invalid(field: str, value: object, reason: str, reason_nl: str) -> InvalidIdentifier:
    return InvalidIdentifier(f"{field} '{value}' {reason}", f"{field} '{value}' {reason_nl}", field=field, value=value)
