"""Gebruikersbeheer in headless Chromium through real SAML logins via the broker: the seeds' chapter 1
for BAROCY, each screen saved under screenshots/ and checked by axe-core at zero violations.

BAROCY's head local administrator (Karin Vermeulen) gives a new colleague (Tom Goossens) a work
relationship and SSM Mandaatuitvoerder for "WSE Loket"; Tom logs in at the demo application and
sees BAROCY's givers at once; Karin ends the right; Tom's next login no longer offers them.
"""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from mandates_store import Store
from mandates_store import demo_data as d

VIA = "Mandaat via BAROCY"


def _fresh(chrome):
    chrome.driver.delete_all_cookies()  # every party is on 127.0.0.1: one cookie jar


def _log_in_as_barocy_admin(chrome):
    chrome.login(d.PERSON_LOCAL_ADMIN, app=chrome.live.selfservice)
    chrome.wait_url(chrome.live.broker + "/choose/")
    assert sorted(name for name, _, _ in chrome.cards()) == ["BAROCY", "Karin Vermeulen"]
    chrome.follow(chrome.card("BAROCY"), chrome.live.selfservice + "/gebruikers")


def _givers_offered_to_tom(chrome) -> set[str]:
    _fresh(chrome)
    chrome.login(d.PERSON_NEW_COLLEAGUE)
    chrome.wait_url(chrome.live.broker + "/choose/")
    return {name for name, _, via in chrome.cards() if via == VIA}


def test_the_seeds_chapter_one_for_barocy(chrome):
    live = chrome.live
    # 1. BAROCY's local administrator: Gebruikers, search, add the new colleague
    _log_in_as_barocy_admin(chrome)
    assert "Lotte Verbeke" in chrome.text("#users") and "Tom Goossens" not in chrome.text()
    chrome.screen("gebruikersbeheer 1 gebruikers BAROCY")
    chrome.css("#number").send_keys("95.09.03-135.87")
    chrome.follow(
        chrome.css("button[name=step][value=add]"), live.selfservice + f"/gebruikers/{d.PERSON_NEW_COLLEAGUE}"
    )
    assert "De werkrelatie werd toegevoegd" in chrome.text()
    chrome.screen("gebruikersbeheer 2 werkrelatie toegevoegd")
    # 2. SSM Mandaatuitvoerder with WSE Loket as context
    Select(chrome.css("#right")).select_by_value("SSM Mandaatuitvoerder")
    chrome.driver.find_element(By.XPATH, "//label[normalize-space()='WSE Loket']").click()
    chrome.screen("gebruikersbeheer 3 recht geven")
    chrome.follow(chrome.css("button[name=step][value=grant]"), live.selfservice + "/gebruikers/")
    assert "Het recht werd gegeven" in chrome.text()
    assert "SSM Mandaatuitvoerder WSE Loket elke mandaatgever" in chrome.text("#user-rights")
    chrome.screen("gebruikersbeheer 4 recht gegeven")
    for path, name in (("/lokale-beheerders", "5 mijn lokale beheerders"), ("/gebruikers/historiek", "6 historiek")):
        chrome.open(live.selfservice + path)
        chrome.screen("gebruikersbeheer " + name)
    assert "Karin Vermeulen" in chrome.text() and "Recht gegeven" in chrome.text()
    # 3. Tom at the demo application: BAROCY's givers at once
    assert {"Emmaüs", "PARKWIND", "Interuniversitair Micro-Electronica Centrum"} <= _givers_offered_to_tom(chrome)
    chrome.screen("gebruikersbeheer 7 chooser Tom")
    # 4. The administrator ends the right
    _fresh(chrome)
    _log_in_as_barocy_admin(chrome)
    chrome.open(live.selfservice + f"/gebruikers/{d.PERSON_NEW_COLLEAGUE}")
    with Store(live.store_path) as store:
        (right,) = [r for r in store.rights(d.PERSON_NEW_COLLEAGUE) if r.name == "SSM Mandaatuitvoerder"]
    chrome.follow(chrome.css(f"#end-right-{right.id}"), live.selfservice + f"/gebruikers/{d.PERSON_NEW_COLLEAGUE}")
    assert "Het recht werd beëindigd" in chrome.text() and "Beëindigd" in chrome.text("#user-rights")
    chrome.screen("gebruikersbeheer 8 recht beeindigd")
    # 5. Tom's next login no longer offers them
    assert _givers_offered_to_tom(chrome) == set()
    chrome.screen("gebruikersbeheer 9 chooser Tom na beeindiging")


def test_own_name_has_nothing_to_administer(chrome):
    live = chrome.live
    chrome.login(d.PERSON_EXECUTOR, app=live.selfservice)  # an executor only: own name, no chooser
    chrome.wait_url(live.selfservice + "/")
    chrome.follow(chrome.driver.find_element(By.LINK_TEXT, "Gebruikersbeheer"), live.selfservice + "/gebruikers")
    assert "niets te beheren" in chrome.text("#nothing") and "Karin Vermeulen" in chrome.text()
    chrome.screen("gebruikersbeheer eigen naam")
    for code, words in (("fr", "Mes gestionnaires locaux"), ("de", "Meine lokalen Verwalter"), ("en", "My local")):
        chrome.open(live.selfservice + f"/taal/{code}?next=/gebruikers")
        assert words in chrome.text()
        chrome.screen(f"gebruikersbeheer eigen naam {code}")
    chrome.open(live.selfservice + "/taal/nl?next=/")
