"""Every refusal of the store that Mandatenbeheer can show has a French and a German text: the
templates are found in mandates_store's source (each English text beside its Dutch one), so a new
refusal without a translation fails here."""

import ast
import os
import re

import pytest

import mandates_store
from mandates_store import Actor, InvalidIdentifier, NotAllowed
from mandates_store import demo_data as d
from mandates_store.search import parse_participants
from selfservice import refusals
from tests.selfservice.helpers import SELF, log_in, submit, words

FOLDER = os.path.dirname(mandates_store.__file__)
# the operator's command line (with `broker store copy`) and file loading, and the broker's login
# explanations: never shown here
NOT_SHOWN = {
    "cli.py",
    "cli_bulk.py",
    "cli_common.py",
    "cli_copy.py",
    "copying.py",
    "copy_postgresql.py",
    "copy_sqlite.py",
    "demo_data.py",
    "explain.py",
    "explain_mandates.py",
    "importing.py",
    "loaders.py",
    "login.py",
}


def _template(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("%", "%%")
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(part.value.replace("%", "%%"))
            else:
                parts.append(f"%({re.sub(r'[^A-Za-z0-9]+', '_', ast.unparse(part.value)).strip('_')})s")
        return "".join(parts)
    return None


def store_refusals() -> dict[str, str]:
    """English template -> where it is: every call with an English text and its Dutch one side by
    side (a refusal's constructor, or a helper that gets both, such as a reason or a field name)."""
    found = {}
    for folder, _, names in os.walk(FOLDER):
        for name in sorted(names):
            if not name.endswith(".py") or name in NOT_SHOWN:
                continue
            path = os.path.join(folder, name)
            for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
                if isinstance(node, ast.Call):
                    for english, dutch in zip(node.args, node.args[1:]):
                        text, other = _template(english), _template(dutch)
                        if text and other and " " in text and text != other:
                            found.setdefault(text, f"{os.path.relpath(path, FOLDER)}:{node.lineno}")
    return found


def test_the_scan_finds_the_stores_refusals():
    found = store_refusals()
    assert "mandate %(mandate_id)s does not exist" in found
    assert "bulk operation %(operation_id)s cannot be resumed: %(reason)s" in found
    assert "it is no bulk create" in found and "must be 10 digits" in found
    assert len(found) > 50


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_refusal_has_a_translation(language):
    catalogue = refusals.CATALOGUES[language]
    missing = {text: where for text, where in store_refusals().items() if text not in catalogue}
    assert missing == {}, f'{language}.po lacks these refusals (msgctxt "refusal"): {missing}'
    for template, translated in catalogue.items():  # the same values, no others
        assert sorted(refusals.PLACEHOLDER.findall(translated)) == sorted(refusals.PLACEHOLDER.findall(template))


def test_a_refusal_with_a_refused_reason_in_it_is_translated_whole():
    text = "bulk operation 12 cannot be resumed: it has finished (Geslaagd)"
    assert (
        refusals.translate(text, "fr") == "l'action groupée 12 ne peut pas être reprise : elle est terminée (Geslaagd)"
    )
    assert (
        refusals.translate(text, "de")
        == "die Sammelaktion 12 kann nicht fortgesetzt werden: sie ist beendet (Geslaagd)"
    )
    assert refusals.translate("something new", "fr") == "something new"


def test_an_enterprise_number_in_arabic_indic_digits_is_refused_in_the_users_language():
    written = "0806154033".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    with pytest.raises(InvalidIdentifier) as caught:
        mandates_store.identifiers.enterprise_number(written, field="giver")
    assert refusals.translate(str(caught.value), "fr") == f"giver '{written}' doit comporter 10 chiffres"
    assert refusals.translate(str(caught.value), "de") == f"giver '{written}' muss aus 10 Ziffern bestehen"
    assert caught.value.message_nl == f"giver '{written}' moet uit 10 cijfers bestaan"


def test_the_pages_show_the_stores_refusals_in_french_and_german(browser, store):
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    for code, text in (
        ("fr", "participants '0411515076' a un chiffre de contrôle erroné (modulo 97)"),
        ("de", "Teilnehmer '0411515076' hat eine falsche Prüfziffer (Modulo 97)"),
    ):
        browser.get(f"{SELF}/taal/{code}?next=/")
        refused = browser.get(SELF + "/opzoeken?searched=1&participants=0411515076")
        assert text in words(refused), words(refused)[:1500]
    with pytest.raises(InvalidIdentifier) as caught:
        parse_participants("0411515076")
    assert "fails the mod-97 check" in str(caught.value)  # the English the page translated


def test_a_refusal_on_signing_in_german(browser, store):
    (mandate,) = store.create_mandates(
        Actor.admin(d.COLRUYT, "test"), role="giver", counterparty=d.BAROCY, types="Test Uniek", accept_contract=True
    )
    store.sign(Actor.admin(d.BAROCY, "test"), mandate.id, accept_contract=True)
    with pytest.raises(NotAllowed):
        store.sign(Actor.admin(d.BAROCY, "test"), mandate.id, accept_contract=True)
    log_in(browser, d.PERSON_REPRESENTATIVE, "BAROCY")
    browser.get(f"{SELF}/taal/de?next=/")
    page = browser.get(f"{SELF}/mandaten/{mandate.id}/ondertekenen")
    refused = submit(browser, page, {"accept": "yes"})
    assert f"Mandat {mandate.id} ist aktiv, nicht zur Unterzeichnung" in words(refused), words(refused)[:800]
