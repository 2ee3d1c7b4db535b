import pytest

from mandates_store.errors import InvalidIdentifier
from mandates_store.identifiers import enterprise_number, party_number, person_number


@pytest.mark.parametrize(
    "written", ["0806154033", "0806.154.033", "BE0806154033", "be 0806.154.033", "806154033", "806.154.033"]
)
def test_enterprise_number_forms_normalise(written):
    assert enterprise_number(written) == "0806154033"


@pytest.mark.parametrize(
    "number", ["0411515075", "0406633304", "0844796259", "0425260668", "0400048883", "0400378485", "0402206045"]
)
def test_seed_enterprise_numbers_pass(number):
    assert enterprise_number(number) == number


def test_wrong_enterprise_check_digits_name_field_and_number():
    with pytest.raises(InvalidIdentifier) as caught:
        enterprise_number("0806.154.034", field="giver")
    assert caught.value.field == "giver"
    assert "0806.154.034" in str(caught.value) and "giver" in str(caught.value)
    assert "mod-97" in str(caught.value)


@pytest.mark.parametrize("bad", ["", "12345", "08061540331", "ABCDEFGHIJ", None])
def test_enterprise_number_of_wrong_shape_is_refused(bad):
    with pytest.raises(InvalidIdentifier):
        enterprise_number(bad)


def test_national_number_with_separators():
    assert person_number("88.01.22-265.57") == "88012226557"


def test_national_number_born_after_2000_uses_the_2_prefix():
    assert person_number("02030512412") == "02030512412"
    with pytest.raises(InvalidIdentifier):
        person_number("02030512413")


def test_wrong_national_number_is_refused():
    with pytest.raises(InvalidIdentifier) as caught:
        person_number("88012226558", field="person")
    assert "88012226558" in str(caught.value) and caught.value.field == "person"


def test_party_number_tells_the_kind():
    assert party_number("88012226557") == ("88012226557", "person")
    assert party_number("806.154.033") == ("0806154033", "organisation")
    with pytest.raises(InvalidIdentifier):
        party_number("123")


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "check, written, words",
    [
        (enterprise_number, "0806154033".translate(ARABIC_INDIC), ("must be 10 digits", "moet uit 10 cijfers bestaan")),
        (enterprise_number, "BE 0806.154.033".translate(ARABIC_INDIC), ("must be 10 digits", "moet uit 10 cijfers")),
        (enterprise_number, "080615403²", ("must be 10 digits", "moet uit 10 cijfers bestaan")),  # int() raised
        (person_number, "88012226557".translate(ARABIC_INDIC), ("must be 11 digits", "moet uit 11 cijfers bestaan")),
        (person_number, "88.01.22-265.5７", ("must be 11 digits", "moet uit 11 cijfers bestaan")),  # fullwidth 7
        (party_number, "0806154033".translate(ARABIC_INDIC), ("is neither", "is geen rijksregister-/bisnummer")),
        (party_number, "88012226557".translate(ARABIC_INDIC), ("is neither", "is geen rijksregister-/bisnummer")),
    ],
)
def test_digits_of_other_scripts_are_refused_as_any_malformed_number(check, written, words):
    """str.isdigit() and int() take them: '٠٨٠٦١٥٤٠٣٣' would have been stored as 0806154033."""
    with pytest.raises(InvalidIdentifier) as caught:
        check(written, field="giver")
    english, dutch = words
    assert caught.value.field == "giver" and caught.value.value == written
    assert str(caught.value).startswith(f"giver '{written}' {english}")
    assert dutch in caught.value.message_nl
