"""Every sentence Mandatenbeheer shows has a Dutch, French and German translation."""

import os
import re

import pytest

from selfservice import forms, i18n
from selfservice.app import STATUS_EN
from selfservice.views import EVENTS
from selfservice.views_create import KIND_WORDS
from selfservice.views_saml import ONLY_MANAGERS

FOLDER = os.path.join(os.path.dirname(i18n.__file__))
CALLS = re.compile(r"""(?:\b_|gettext)\(\s*(["'])((?:(?!\1).)+)\1\s*[,)]""")
LISTED = re.compile(r"""\(\s*"[a-z_.]+",\s*"([^"]+)"\)""")  # ("endpoint", "Label") pairs


def message_ids() -> set[str]:
    found = set()
    for folder, _, names in os.walk(FOLDER):
        for name in names:
            if name.endswith((".py", ".html")):
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                found |= {m.group(2) for m in CALLS.finditer(text)}
                found |= set(LISTED.findall(text)) if name.endswith(".html") else set()
    shown_elsewhere = set(STATUS_EN.values()) | set(KIND_WORDS.values()) | set(forms.MESSAGES) | set(EVENTS.values())
    return found | shown_elsewhere | {ONLY_MANAGERS, "Administrator"}


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_every_message_is_translated(language):
    missing = sorted(message_ids() - set(i18n.CATALOGUES[language]))
    assert missing == [], f"{language}.po lacks {missing}"


def test_the_scan_finds_the_pages_words():
    assert {"Mandates I must sign", "Log out", "Switch organisation"} <= message_ids()
