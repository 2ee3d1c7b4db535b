"""User-facing text: English message ids, Dutch by default, French, German and English shown.

Catalogues are plain gettext .po files under broker/translations, read once at start with Babel.
"""

import os

from babel.messages.pofile import read_po
from flask import g, request, session

LANGUAGES = ("nl", "fr", "de", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}
_FOLDER = os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations")


def _load() -> dict[str, dict[str, str]]:
    catalogues = {"en": {}}
    for language in LANGUAGES:
        path = os.path.join(_FOLDER, f"{language}.po")
        if os.path.exists(path):
            with open(path, "rb") as handle:
                catalogue = read_po(handle, locale=language)
            catalogues[language] = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    return catalogues


CATALOGUES = _load()


def current_language() -> str:
    if "lang" not in g:  # once per request: a page asks for every sentence it shows
        chosen = session.get("lang")
        g.lang = (
            chosen if chosen in LANGUAGES else request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
        )
    return g.lang


def gettext(message: str, **values) -> str:
    return translator(current_language())(message, **values)


def _translator(catalogue: dict[str, str]):
    def translate(message: str, **values) -> str:
        text = catalogue.get(message) or message
        return text % values if values else text

    return translate


_TRANSLATORS = {language: _translator(CATALOGUES.get(language, {})) for language in LANGUAGES}


def translator(language: str):
    """gettext for one language, bound once: a page that asks for every sentence it shows does
    not look the request's language up again for each."""
    return _TRANSLATORS[language]
