"""Mandatenbeheer in headless Chromium through real SAML logins via the broker: the seeds' whole
story, each screen saved under screenshots/ and checked by axe-core at zero violations.

A BAROCY manager (Marc Janssens, its legal representative) creates a WSE Loket mandate from Emmaüs
(the taker starts it: mutual initiative), an Emmaüs manager (Sofie Maes) signs it, and a BAROCY
executor (Lotte Verbeke) logs in at the demo application and sees Emmaüs in the chooser at once.
"""

from selenium.webdriver.common.by import By

from mandates_store import Actor, MandateSearch, Store
from mandates_store import demo_data as d


def _fresh(chrome):
    chrome.driver.delete_all_cookies()  # every party is on 127.0.0.1: one cookie jar


def _log_in(chrome, person, party):
    chrome.login(person, app=chrome.live.selfservice)
    chrome.wait_url(chrome.live.broker + "/choose/")
    chrome.follow(chrome.card(party), chrome.live.selfservice + "/")


def _fill(chrome, values: dict):
    for name, value in values.items():
        field = chrome.css(f"[name='{name}']")
        field.clear()
        field.send_keys(value)


def _button(chrome, step):
    return chrome.css(f"button[name=step][value={step}]")


def test_the_seeds_story(chrome):
    live = chrome.live
    with Store(live.store_path) as store:
        # Emmaüs's current WSE Loket mandate to BAROCY ends first, so the chooser shows what is new
        for old in store.search(MandateSearch(party=d.EMMAUS, role="giver", status="active")):
            if old.taker.number == d.BAROCY and old.type_code == "WSE Loket":
                store.stop(Actor.admin(d.EMMAUS, "test"), old.id, reason="voor de test")
    # 1. BAROCY's manager creates the mandate, as taker
    _log_in(chrome, d.PERSON_REPRESENTATIVE, "BAROCY")
    assert "Mandaten die ik moet ondertekenen (0)" in chrome.text()
    assert "BAROCY" in chrome.text("#who")
    chrome.screen("selfservice 1 start page BAROCY")
    chrome.follow(chrome.driver.find_element(By.LINK_TEXT, "Aanmaken"), live.selfservice + "/aanmaken")
    chrome.screen("selfservice 2 aanmaken")
    _fill(chrome, {"enterprise": "0411.515.075"})
    chrome.follow(_button(chrome, "lookup"), live.selfservice + "/aanmaken")
    assert "Gevonden: Emmaüs (0411515075)" in chrome.text()
    chrome.css("input[name=type][value='WSE Loket']").click()
    chrome.css("#role-taker").click()
    _fill(chrome, {"reference": "BAROCY-2026-001"})
    chrome.screen("selfservice 3 aanmaken ingevuld")
    chrome.follow(_button(chrome, "review"), live.selfservice + "/aanmaken")
    assert "Ik heb de voorwaarden gelezen en ga akkoord" in chrome.text()
    chrome.css("#accept").click()
    chrome.screen("selfservice 4 voorwaarden")
    chrome.follow(_button(chrome, "confirm"), live.selfservice + "/aanmaken/bevestiging")
    assert "Succesvol aangemaakte mandaten" in chrome.text()
    number = chrome.css("#created a").text
    chrome.screen("selfservice 5 succesvol aangemaakt")
    # 2. Emmaüs's manager signs it
    _fresh(chrome)
    _log_in(chrome, d.PERSON_MANAGER, "Emmaüs")
    assert "Mandaten die ik moet ondertekenen (1)" in chrome.text()
    chrome.screen("selfservice 6 start page Emmaus")
    chrome.follow(chrome.css(f"a[href='/mandaten/{number}']"), live.selfservice + f"/mandaten/{number}")
    chrome.screen("selfservice 7 details")
    chrome.follow(chrome.css(f"main a[href='/mandaten/{number}/ondertekenen']"), live.selfservice + "/mandaten/")
    chrome.css("#accept").click()
    chrome.screen("selfservice 8 ondertekenen")
    chrome.follow(chrome.css("main button[type=submit]"), live.selfservice + f"/mandaten/{number}")
    assert "Het mandaat werd ondertekend." in chrome.text() and "Actief" in chrome.text()
    chrome.screen("selfservice 9 ondertekend")
    chrome.follow(chrome.driver.find_element(By.LINK_TEXT, "Opzoeken"), live.selfservice + "/opzoeken")
    _fill(chrome, {"reference": "BAROCY-2026-001"})
    chrome.follow(chrome.css("main form button[type=submit]"), live.selfservice + "/opzoeken")
    assert "1 resultaten." in chrome.text()
    chrome.screen("selfservice 10 opzoeken")
    # 3. BAROCY's executor logs in at the demo application: Emmaüs is in the chooser at once
    _fresh(chrome)
    chrome.login(d.PERSON_EXECUTOR)
    chrome.wait_url(live.broker + "/choose/")
    assert ("Emmaüs", "Mandaat via BAROCY") in {(name, via) for name, _, via in chrome.cards()}
    chrome.shot("selfservice 11 chooser Lotte")


def test_the_conflict_screen_and_other_pages(chrome):
    live = chrome.live
    with Store(live.store_path) as store:
        admin = Actor.admin(d.COLRUYT, "test")
        first, second = (
            store.create_mandates(
                admin, role="giver", counterparty=d.BAROCY, types="Test ORG-ORG", accept_contract=True
            )[0]
            for _ in range(2)
        )
        store.sign(Actor.admin(d.BAROCY, "test"), first.id, accept_contract=True)
    _log_in(chrome, d.PERSON_REPRESENTATIVE, "BAROCY")
    chrome.open(live.selfservice + f"/mandaten/{second.id}/ondertekenen")
    chrome.css("#accept").click()
    chrome.follow(chrome.css("main button[type=submit]"), live.selfservice + "/mandaten/")
    assert "Conflict" in chrome.text()
    chrome.screen("selfservice conflict")
    chrome.follow(chrome.driver.find_element(By.LINK_TEXT, "Het bestaande mandaat stopzetten"), live.selfservice)
    chrome.screen("selfservice stopzetten")
    chrome.follow(chrome.css("main button[type=submit]"), live.selfservice + f"/mandaten/{second.id}/ondertekenen")
    assert "Het conflict is opgelost" in chrome.text()
    chrome.screen("selfservice conflict opgelost")
    chrome.open(live.selfservice + f"/mandaten/{first.id}/overdragen")
    chrome.screen("selfservice overdragen")
    chrome.open(live.selfservice + "/opzoeken?searched=1")
    chrome.screen("selfservice opzoeken alles")
    for path, name in (
        ("/gegroepeerd/aanmaken", "gegroepeerd aanmaken"),
        ("/gegroepeerd/stopzetten", "gegroepeerd stopzetten"),
        ("/gegroepeerd/ondertekenen?participants=0400378485", "gegroepeerd ondertekenen"),
    ):
        chrome.open(live.selfservice + path)
        chrome.screen("selfservice " + name)
    assert "1 resultaten." in chrome.text()
    chrome.css("#accept").click()
    chrome.css("#count-typed").send_keys(chrome.text("#count").split()[0])
    chrome.follow(
        chrome.css("main form[method=post] button[type=submit]"), live.selfservice + "/gegroepeerd/resultaat/"
    )
    assert "Resultaat van de gegroepeerde acties" in chrome.text()
    chrome.screen("selfservice gegroepeerd resultaat")
    chrome.open(live.selfservice + "/gegroepeerd")
    chrome.screen("selfservice gegroepeerde acties")
    chrome.open(live.selfservice + "/mandaten/1")
    assert "Deze pagina bestaat niet." in chrome.text()
    chrome.screen("selfservice niet gevonden")
    for code, words in (
        ("fr", "Mandats que je dois signer"),
        ("de", "Mandate, die ich"),
        ("en", "Mandates I must sign"),
    ):
        chrome.open(live.selfservice + f"/taal/{code}?next=/")
        assert words in chrome.text()
        chrome.screen(f"selfservice start {code}")
    chrome.open(live.selfservice + "/taal/nl?next=/")


def test_a_running_import_shows_its_progress_and_refreshes_itself_without_script(chrome):
    """The import's state as the store holds it (another worker runs it: here this test's process);
    the page reloads itself while it runs - no JavaScript: the browser follows the Refresh header."""
    from datetime import datetime

    from selenium.webdriver.support.ui import WebDriverWait

    from mandates_store.bulk.model import CREATE
    from mandates_store.bulk.operations import finish_operation, record_line, start_operation
    from mandates_store.database import write
    from tests.browser_ui.chrome import WAIT

    live = chrome.live
    store = Store(live.store_path)

    def done(numbers):
        with write(store.db):
            for line_no in numbers:
                record_line(store.db, operation_id, line_no, f"0400378485;;;nl;R{line_no}", (), None)

    actor = Actor(d.PERSON_MANAGER, d.EMMAUS)
    operation_id = start_operation(store.db, CREATE, actor, "giver", "Test ORG-ORG", "x.csv", datetime.now(), None, 8)
    done(range(1, 3))
    _log_in(chrome, d.PERSON_MANAGER, "Emmaüs")
    url = live.selfservice + f"/gegroepeerd/resultaat/{operation_id}"
    chrome.open(url)
    assert "2 van 8 lijnen verwerkt" in chrome.text("#progress")
    assert chrome.driver.execute_script("return document.scripts.length") == 0  # no script does it
    chrome.screen("selfservice gegroepeerd bezig")
    old = chrome.css("html")
    done(range(3, 6))
    chrome.wait_gone(old)  # the page reloaded itself
    WebDriverWait(chrome.driver, WAIT).until(lambda _: "5 van 8 lijnen verwerkt" in chrome.text())
    chrome.follow(chrome.driver.find_element(By.LINK_TEXT, "Niet meer vernieuwen"), url)
    assert "Automatisch vernieuwen" in chrome.text("#refresh")
    chrome.screen("selfservice gegroepeerd bezig zonder vernieuwen")
    chrome.follow(chrome.driver.find_element(By.LINK_TEXT, "Automatisch vernieuwen"), url)
    old = chrome.css("html")
    done(range(6, 9))
    finish_operation(store.db, operation_id, 8, 0, datetime.now())
    chrome.wait_gone(old)
    WebDriverWait(chrome.driver, WAIT).until(lambda _: "Geslaagd" in chrome.text("#status"))
    assert chrome.all("#refresh") == [] and chrome.all("progress") == []
    assert "8 geslaagd, 0 geweigerd" in chrome.text()
    chrome.screen("selfservice gegroepeerd afgelopen")
    store.close()
