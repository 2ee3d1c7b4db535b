"""User-facing text: English message ids, Dutch by default, French, German and English.

The catalogues are this package's own translations/*.po, read once with Babel.
"""

import os

from babel.messages.pofile import read_po
from flask import g, request, session

LANGUAGES = ("nl", "fr", "de", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}
FOLDER = os.path.join(os.path.dirname(__file__), "translations")


def load_catalogues() -> dict[str, dict[str, str]]:
    catalogues = {"en": {}}
    for language in LANGUAGES:
        path = os.path.join(FOLDER, f"{language}.po")
        if os.path.exists(path):
            with open(path, "rb") as handle:
                catalogue = read_po(handle, locale=language)
            catalogues[language] = {
                m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy and not m.context
            }  # context "refusal": the store's refusals (selfservice/refusals.py)
    return catalogues


CATALOGUES = load_catalogues()


def current_language() -> str:
    if "lang" not in g:
        chosen = session.get("lang")
        g.lang = chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
    return g.lang


def gettext(message: str, **values) -> str:
    text = CATALOGUES.get(current_language(), {}).get(message) or message
    return text % values if values else text


def requested_language() -> str | None:
    wanted = request.args.get("lang")
    return wanted if wanted in LANGUAGES else None
