"""Every user-facing string has a translation in nl, fr and de: the templates' _(…) calls, the
chooser's labels and explanations, and the reasons of SamlError shown on the error page."""

import ast
import os
import re

import pytest
from babel.messages.pofile import read_po

from broker.selection import labels
from broker.web import i18n

BROKER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "broker")
_TEMPLATE_CALL = re.compile(r"""_\(\s*(["'])(.*?)\1""", re.S)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _python_files():
    """Every module of the broker, wherever a later change moves it."""
    for folder, _dirs, names in sorted(os.walk(BROKER)):
        for name in sorted(names):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def _literal_calls(path: str, names: set[str]) -> set[str]:
    """First arguments of calls to `names` that are plain string literals (f-strings are not)."""
    found = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if callee in names:
                found.add(node.args[0].value)
    return found


def msgids() -> set[str]:
    found = set()
    folder = os.path.join(BROKER, "templates")
    for name in os.listdir(folder):
        found |= {
            m.group(2) for m in _TEMPLATE_CALL.finditer(open(os.path.join(folder, name), encoding="utf-8").read())
        }
    for path in _python_files():
        found |= _literal_calls(path, {"SamlError", "_", "gettext"})
    found |= set(labels.CONDITION_TEXT.values()) | set(labels.MANDATE_CONDITION_TEXT.values()) | {labels.FALLBACK_TEXT}
    return found


def test_the_extractor_sees_templates_labels_and_saml_errors():
    found = msgids()
    assert {
        "Select on whose behalf you want to log in",
        "Mandate via %(taker)s",
        "The chosen option is not one the broker offered.",
        "The SAML signature is not valid.",
    } <= found
    assert len(found) > 100


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_every_msgid_is_translated(language):
    catalogue = i18n.CATALOGUES[language]
    missing = sorted(m for m in msgids() if not catalogue.get(m))
    assert missing == [], f"{language}.po lacks {len(missing)} translations"


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_translations_keep_their_placeholders(language):
    for msgid, text in i18n.CATALOGUES[language].items():
        assert sorted(_PLACEHOLDER.findall(text)) == sorted(_PLACEHOLDER.findall(msgid)), msgid


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_catalogue_files_are_clean(language):
    with open(os.path.join(BROKER, "translations", f"{language}.po"), "rb") as handle:
        catalogue = read_po(handle, locale=language)
    assert not [m.id for m in catalogue if m.id and m.fuzzy]
    assert len({m.id for m in catalogue if m.id}) == len([m for m in catalogue if m.id])
