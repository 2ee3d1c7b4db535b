"""The one notification of a new mandate goes through a real SMTP server on loopback (aiosmtpd),
and the address is nowhere in the store's files afterwards."""

import email
import email.policy
import glob

import pytest
from aiosmtpd.controller import Controller

from demo.environment import free_port
from mandates_store import demo_data as d
from selfservice import create_app
from tests.browser import Browser
from tests.selfservice.helpers import SELF, log_in, submit, words

ADDRESS = "boekhouding.colruyt@example.test"
OWN = "sofie.maes@example.test"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message["Subject"] + "\n" + message.get_body().get_content()
        self.messages.append((envelope.rcpt_tos, text))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def browser(parties, demo, smtp):
    controller, _ = smtp
    app = create_app(dict(demo.selfservice, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port))
    return Browser(
        {
            "localhost:8080": parties["broker"],
            "localhost:8090": parties["upstream"],
            "localhost:8070": app,
        }
    )


def test_notice_arrives_and_the_address_is_not_stored(browser, smtp, demo):
    _, inbox = smtp
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(SELF + "/aanmaken")
    page = submit(browser, page, {"enterprise": d.COLRUYT, "step": "lookup"})
    page = submit(browser, page, {"type": "Test ORG-ORG", "role": "giver", "step": "review"})
    done = submit(browser, page, {"step": "confirm", "accept": "yes", "email": ADDRESS, "own_email": OWN})
    assert "Succesvol aangemaakte mandaten" in words(done)
    assert len(inbox.messages) == 1
    recipients, text = inbox.messages[0]
    assert recipients == [ADDRESS]
    assert "Aanmaken van een mandaat tussen Emma" in text and "ter informatieve titel toegestuurd door " + OWN in text
    store_files = glob.glob(demo.selfservice["STORE_DB"] + "*")
    assert store_files
    for path in store_files:
        content = open(path, "rb").read()
        assert ADDRESS.encode() not in content and OWN.encode() not in content, path


def test_a_bad_address_is_refused_before_anything_is_made(browser, smtp):
    _, inbox = smtp
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(SELF + "/aanmaken")
    page = submit(browser, page, {"enterprise": d.COLRUYT, "step": "lookup"})
    page = submit(browser, page, {"type": "Test ORG-ORG", "role": "giver", "step": "review"})
    refused = submit(browser, page, {"step": "confirm", "accept": "yes", "email": "not an address"})
    assert refused.status == 400 and "geen geldig e-mailadres" in words(refused)
    assert inbox.messages == []


def test_the_notice_in_french(browser, smtp):
    _, inbox = smtp
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(SELF + "/aanmaken")
    page = submit(browser, page, {"enterprise": d.COLRUYT, "step": "lookup"})
    page = submit(browser, page, {"type": "Test ORG-ORG", "role": "giver", "step": "review"})
    submit(browser, page, {"step": "confirm", "accept": "yes", "email": ADDRESS, "mail_language": "fr"})
    assert inbox.messages[0][1].startswith("Création d'un mandat entre Emmaüs et Etablissements Fr. Colruyt")


def test_the_demo_without_smtp_shows_the_message_to_the_two_parties_only(parties, demo):
    app = create_app(demo.selfservice)  # no SMTP_HOST: the demo
    browser = Browser(
        {"localhost:8080": parties["broker"], "localhost:8090": parties["upstream"], "localhost:8070": app}
    )
    log_in(browser, d.PERSON_MANAGER, "Emmaüs")
    page = browser.get(SELF + "/aanmaken")
    page = submit(browser, page, {"enterprise": d.COLRUYT, "step": "lookup"})
    page = submit(browser, page, {"type": "Test ORG-ORG", "role": "giver", "step": "review"})
    submit(browser, page, {"step": "confirm", "accept": "yes", "email": ADDRESS})
    shown = browser.get(SELF + "/demo/berichten")
    assert ADDRESS in words(shown) and "Aanmaken van een mandaat tussen Emmaüs" in words(shown)
    browser.get(SELF + "/switch")
    other = log_in(browser, d.PERSON_MANAGER, "Sofie Maes")
    assert "Sofie Maes" in words(other)
    assert ADDRESS not in words(browser.get(SELF + "/demo/berichten"))
