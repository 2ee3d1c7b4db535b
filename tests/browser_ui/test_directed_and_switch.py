"""Directed login (<mb:RequestedLegalSubject>) and switching organisation (<mb:Switch/>), over the
test-client browser: each ends with the demo application's SP holding validated attributes."""

import base64
import logging
import os
import zlib
from urllib.parse import urlencode

from saml2 import ExtensionElement
from saml2.samlp import Extensions

from demo.application import MB
from mandates_store import demo_data as d
from tests.conftest import APP, BROKER, UPSTREAM
from tests.e2e.helpers import cards, choose, received


def login(browser, person, **args):
    page = browser.get(APP + "/login" + ("?" + urlencode(args) if args else ""))
    if page.url.startswith(UPSTREAM + "/sso"):
        page = browser.submit(page, {"person": person, "means": "eid"})
    return page


def test_directed_login_skips_the_chooser_when_the_option_exists(browser):
    page = login(browser, d.PERSON_EXECUTOR, giver="0411.515.075")
    assert page.url == APP + "/"
    assert not any("/choose/" in url for _, url in browser.visits)
    got = received(browser)
    assert (got["LegalSubjectID"], got["IntermediateSubjectID"], got["LoginKind"]) == (d.EMMAUS, d.BAROCY, "mandate")


def test_directed_login_with_several_takers_narrows_to_that_giver(browser):
    page = login(browser, d.PERSON_SEVERAL_TAKERS, giver=d.COLRUYT)
    assert page.url.startswith(BROKER + "/choose/")
    assert [c[:3] for c in cards(page)] == [("Etablissements Fr. Colruyt", d.COLRUYT, "Meerdere mandaten mogelijk")]


def test_directed_login_naming_the_taker_answers_directly(browser):
    page = login(browser, d.PERSON_SEVERAL_TAKERS, giver=d.COLRUYT, taker=d.PWC)
    assert page.url == APP + "/"
    got = received(browser)
    assert (got["LegalSubjectID"], got["IntermediateSubjectID"]) == (d.COLRUYT, d.PWC)


def test_directed_login_to_a_party_without_option_shows_only_own_options(browser):
    page = login(browser, d.PERSON_EXECUTOR, giver=d.COLRUYT)
    assert page.url.startswith(BROKER + "/choose/")
    assert d.COLRUYT in page.doc.xpath("string(//p[@class='notice'])")
    shown = {number for _, number, _, _ in cards(page)}
    assert d.COLRUYT not in shown and d.EMMAUS in shown and "Colruyt" not in page.text
    page = choose(browser, page, "Emmaüs", via="Mandaat via BAROCY")
    assert received(browser)["LegalSubjectID"] == d.EMMAUS


def test_directed_login_in_an_unsigned_request_is_ignored(browser, parties, demo, caplog):
    caplog.set_level(logging.INFO, logger="broker.saml.idp")
    # the demo application's metadata promises signed requests, and the broker holds it to that
    path = os.path.join(demo.broker["METADATA_DIR"], "demo-application.xml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace('AuthnRequestsSigned="true"', 'AuthnRequestsSigned="false"'))
    parties["broker"].extensions["metadata"].load()
    assert not parties["broker"].extensions["metadata"].service_provider(APP + "/saml/metadata").authn_requests_signed
    client = parties["application"].extensions["saml_client"]
    wanted = Extensions(extension_elements=[ExtensionElement("RequestedLegalSubject", namespace=MB, text=d.EMMAUS)])
    request_id, request = client.create_authn_request(BROKER + "/saml/idp/sso", extensions=wanted, sign=False)
    deflated = zlib.compress(str(request).encode("utf-8"))[2:-4]  # raw DEFLATE, no signature at all
    query = urlencode({"SAMLRequest": base64.b64encode(deflated).decode("ascii"), "RelayState": "/"})
    with browser.clients["localhost:8000"].session_transaction() as session:
        session["outstanding"] = {request_id: "/"}
    page = browser.get(BROKER + "/saml/idp/sso?" + query)
    page = browser.submit(page, {"person": d.PERSON_EXECUTOR, "means": "eid"})
    assert page.url.startswith(BROKER + "/choose/")  # not answered directly: the wish did not count
    assert not page.doc.xpath("//p[@class='notice']")
    assert "ignored RequestedLegalSubject in an unsigned AuthnRequest" in caplog.text


def test_switch_shows_the_chooser_again_without_authenticating(browser):
    page = login(browser, d.PERSON_EXECUTOR)
    page = choose(browser, page, "Emmaüs", via="Mandaat via BAROCY")
    first = received(browser)
    assert first["LegalSubjectID"] == d.EMMAUS
    page = browser.get(APP + "/login?switch=1")
    assert page.url.startswith(BROKER + "/choose/")
    upstream_visits = [url for _, url in browser.visits if url.startswith(UPSTREAM)]
    page = choose(browser, page, "Interuniversitair Micro-Electronica Centrum", via="Mandaat via BAROCY")
    assert page.url == APP + "/"
    assert [url for _, url in browser.visits if url.startswith(UPSTREAM)] == upstream_visits
    second = received(browser)
    assert (second["LegalSubjectID"], second["ActingSubjectID"]) == (d.IMEC, d.PERSON_EXECUTOR)
    assert second["MandateID"] != first["MandateID"]


def test_switch_shows_the_chooser_even_for_a_single_option(browser):
    page = login(browser, d.PERSON_OWN_NAME_ONLY)
    assert page.url == APP + "/"  # skipped: one option
    page = browser.get(APP + "/login?switch=1")
    assert page.url.startswith(BROKER + "/choose/")
    assert [c[2] for c in cards(page)] == ["In eigen naam"]
    page = choose(browser, page, "An Peeters")
    assert received(browser)["LoginKind"] == "own_name"
