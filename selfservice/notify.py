"""The one notification of a new mandate (seed 000 §2.2 "De andere partij op de hoogte brengen"),
sent through the configured SMTP server with smtplib. The addresses are used for this message only
and never stored: not in the store, not in the session, not in a log line.

Without an SMTP host (the demo) the last messages are kept in this process's memory and shown to
the mandate's two parties at /demo/berichten.
"""

import smtplib
from email.message import EmailMessage

from flask import current_app

from mandates_store import Mandate

SUBJECT = {
    "nl": "Aanmaken van een mandaat tussen {giver} en {taker}",
    "fr": "Création d'un mandat entre {giver} et {taker}",
    "de": "Erstellung eines Mandats zwischen {giver} und {taker}",
    "en": "Creation of a mandate between {giver} and {taker}",
}
BODY = {
    "nl": "Een onderneming/burger wenst een volmacht {types} met u aan te maken om toegang te "
    "verkrijgen/verlenen tot een overheidsapplicatie. Deze toegang is slechts mogelijk na uw goedkeuring. "
    "Voor meer details kan u inloggen op: {url} waar u desgewenst deze volmacht kan goedkeuren.",
    "fr": "Une entreprise/un citoyen souhaite créer avec vous une procuration {types} pour obtenir/accorder "
    "l'accès à une application publique. Cet accès n'est possible qu'après votre approbation. Pour plus de "
    "détails, connectez-vous sur : {url} où vous pourrez approuver cette procuration.",
    "de": "Ein Unternehmen/ein Bürger möchte mit Ihnen eine Vollmacht {types} erstellen, um Zugang zu einer "
    "Behördenanwendung zu erhalten/zu gewähren. Dieser Zugang ist erst nach Ihrer Zustimmung möglich. "
    "Weitere Einzelheiten unter: {url}, wo Sie diese Vollmacht genehmigen können.",
    "en": "An enterprise/citizen wishes to create a {types} power of attorney with you to obtain/grant access "
    "to a government application. This access is only possible after your approval. For details, log in at: "
    "{url} where you can approve this power of attorney.",
}
SENT_BY = {
    "nl": "Deze boodschap wordt u ter informatieve titel toegestuurd door {sender}.",
    "fr": "Ce message vous est envoyé à titre informatif par {sender}.",
    "de": "Diese Nachricht wird Ihnen zur Information von {sender} gesendet.",
    "en": "This message is sent to you for information by {sender}.",
}
DEMO_OUTBOX_SIZE = 20


def compose(made: list[Mandate], to: str, own: str | None, language: str, url: str, sender: str) -> EmailMessage:
    first = made[0]
    message = EmailMessage()
    message["Subject"] = SUBJECT[language].format(giver=first.giver.name, taker=first.taker.name)
    message["From"] = sender
    message["To"] = to
    text = BODY[language].format(types=", ".join(m.type_code for m in made), url=url)
    if own:
        text += "\n\n" + SENT_BY[language].format(sender=own)
        message["Reply-To"] = own
    message.set_content(text)
    return message


def send_creation_notice(made: list[Mandate], to: str, own: str | None, language: str) -> bool:
    """True when the SMTP server took the message; a failure is logged without the address and
    never undoes the mandates, which already exist."""
    settings = current_app.extensions["selfservice_settings"]
    message = compose(made, to, own, language, settings.base_url + "/", settings.mail_from)
    if not settings.smtp_host:
        outbox = current_app.extensions.setdefault("selfservice_demo_outbox", [])
        # kept only in this process, and shown only to the two parties of the mandate
        outbox.insert(0, ({first_party.number for first_party in (made[0].giver, made[0].taker)}, message))
        del outbox[DEMO_OUTBOX_SIZE:]
        return True
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("creation notice for mandates %s not sent: %s", [m.id for m in made], type(error))
        return False
    return True


def demo_outbox(party: str) -> list[EmailMessage]:
    """The messages the demo would have sent about this party's mandates (no SMTP host set)."""
    outbox = current_app.extensions.get("selfservice_demo_outbox", [])
    return [message for parties, message in outbox if party in parties]
