"""The words the chooser and the no-access page put next to an option or a missing condition."""

from broker.i18n import current_language, gettext as _


def option_label(option) -> str:
    if option.kind == "mandate" and option.intermediary is not None:
        return _("Mandate via %(taker)s", taker=option.intermediary.name)
    if option.kind == "own_name":
        return _("In your own name")
    if option.kind == "legal_representative":
        return _("As legal representative")
    return _("As an employee")


def explanation_text(missing) -> str:
    """The store explains in Dutch and English; other languages get the English text translated
    where the catalogue has it."""
    if current_language() == "nl":
        return missing.text_nl
    return _(missing.text_en)
