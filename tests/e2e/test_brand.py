"""The header names the service in every language, English included (it once read "Mandate broker"
in English while the others said "Aanmelden met mandaat", "Connexion par mandat", "Anmeldung mit Mandat")."""

import re

import pytest

BRANDS = {
    "nl": "Aanmelden met mandaat",
    "fr": "Connexion par mandat",
    "de": "Anmeldung mit Mandat",
    "en": "Log in with a mandate",
}


@pytest.mark.parametrize("language", sorted(BRANDS))
def test_the_header_translates_the_brand(parties, language):
    page = parties["broker"].test_client().get("/logged-out", headers={"Accept-Language": language})
    brand = re.search(r'<span class="brand">([^<]*)</span>', page.get_data(as_text=True)).group(1)
    assert brand == BRANDS[language]
