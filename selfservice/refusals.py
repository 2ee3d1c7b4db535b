"""The store's refusals in the page's language. The store words each refusal in English
(`str(error)`) and Dutch (`message_nl`); French and German come from this package's catalogues,
whose entries of context "refusal" have the store's English template as their id, its values as
%(name)s (tests/selfservice/test_refusals.py finds every template in mandates_store's source and
fails when one has no fr or de entry). A value that is itself a refusal's fragment ("it has
finished (...)") is translated too; a text no template fits stays English."""

import os
import re

from babel.messages.pofile import read_po

from selfservice import i18n

CONTEXT = "refusal"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def load(languages=("fr", "de")) -> dict[str, dict[str, str]]:
    found = {}
    for language in languages:
        with open(os.path.join(i18n.FOLDER, f"{language}.po"), "rb") as handle:
            catalogue = read_po(handle, locale=language)
        found[language] = {m.id: m.string for m in catalogue if m.context == CONTEXT and m.string and not m.fuzzy}
    return found


def pattern(template: str) -> re.Pattern:
    """The English texts a template gives: its words exactly, any text for each value."""
    regex, seen = "", set()
    for number, part in enumerate(PLACEHOLDER.split(template)):
        if number % 2 == 0:
            regex += re.escape(part.replace("%%", "%"))
        else:
            regex += f"(?P={part})" if part in seen else f"(?P<{part}>.+?)"
            seen.add(part)
    return re.compile(regex, re.S)


CATALOGUES = load()
TEMPLATES = sorted(
    {(template, pattern(template)) for entries in CATALOGUES.values() for template in entries},
    key=lambda item: -len(PLACEHOLDER.sub("", item[0])),  # the most specific first
)
# words without values ("must be 10 digits"), for a text no template fits as a whole
FRAGMENTS = sorted((t for t, _ in TEMPLATES if " " in t and not PLACEHOLDER.search(t)), key=len, reverse=True)


def translate(text: str, language: str, depth: int = 0) -> str:
    catalogue = CATALOGUES.get(language)
    if not catalogue or depth > 3:
        return text
    for template, regex in TEMPLATES:
        found = regex.fullmatch(text)
        if found and template in catalogue:
            values = {name: translate(value, language, depth + 1) for name, value in found.groupdict().items()}
            return catalogue[template] % values
    for fragment in FRAGMENTS:  # "enterprise number 'x' must be 10 digits": the words it knows
        if fragment in text and fragment in catalogue:
            words = catalogue[fragment]
            text = re.sub(rf"\b{re.escape(fragment)}\b", lambda _, words=words: words, text)
    return text
