"""Click-throughs in headless Chromium against live servers: each ends with the demo application's
SP showing the attributes of the assertion it validated. Every broker screen is screenshotted
under screenshots/ and checked with axe-core (WCAG 2.1 A/AA and best practice): zero violations."""

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from mandates_store import demo_data as d
from tests.browser_ui.live import EVIL_NAME, EVIL_NUMBER


def test_one_option_continues_without_the_chooser(chrome):
    chrome.login(d.PERSON_OWN_NAME_ONLY)
    got = chrome.attributes()
    assert (got["LoginKind"], got["LegalSubjectID"], got["ActingSubjectName"]) == (
        "own_name",
        d.PERSON_OWN_NAME_ONLY,
        "An Peeters",
    )
    chrome.shot("01-one-option-application")


def test_mandate_via_and_escaped_names(chrome):
    chrome.login(d.PERSON_EXECUTOR)
    chrome.wait_url(chrome.live.broker + "/choose/")
    assert chrome.text("h1") == "Selecteer namens wie je wil aanmelden"
    assert chrome.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    cards = chrome.cards()
    assert cards[0][2] == "In eigen naam"  # own name first, then the organisation, then givers by name
    assert ("Emmaüs", d.EMMAUS, "Mandaat via BAROCY") in cards
    assert (EVIL_NAME, EVIL_NUMBER, "Mandaat via BAROCY") in cards  # shown as text, not run
    assert chrome.driver.execute_script("return document.querySelectorAll('main script').length") == 0
    emmaus = chrome.card("Emmaüs")
    giver, taker = emmaus.find_element(By.CSS_SELECTOR, ".party"), emmaus.find_element(By.CSS_SELECTOR, ".via")
    assert giver.location["y"] < taker.location["y"]  # the giver on top, the taker below
    assert emmaus.find_element(By.CSS_SELECTOR, ".taker-number").text == d.BAROCY
    chrome.screen("02-chooser-mandaat-via")
    emmaus.click()
    got = chrome.attributes()
    assert (got["LoginKind"], got["LegalSubjectID"], got["IntermediateSubjectID"]) == ("mandate", d.EMMAUS, d.BAROCY)
    assert got["MandateType"] == "WSE Loket" and got["ActingSubjectID"] == d.PERSON_EXECUTOR
    chrome.shot("03-mandaat-via-application")


def test_a_reload_of_the_chooser_is_a_get_of_its_own_address(chrome):
    """The chooser comes in the answer to the upstream's POST; its script puts /choose/<flow> in
    the address bar, so a reload shows the chooser again instead of re-posting a used answer."""
    chrome.login(d.PERSON_EXECUTOR)
    chrome.wait_url(chrome.live.broker + "/choose/")
    here = chrome.driver.current_url
    old = chrome.css("html")
    chrome.driver.refresh()
    chrome.wait_gone(old)
    chrome.wait_url(here)
    assert chrome.text("h1") == "Selecteer namens wie je wil aanmelden"
    assert chrome.driver.execute_script("return performance.getEntriesByType('navigation')[0].type") == "reload"
    chrome.card("Emmaüs", "Mandaat via BAROCY").click()
    assert chrome.attributes()["LegalSubjectID"] == d.EMMAUS


def test_a_person_to_person_mandate_to_the_person_reads_as_theirs(chrome):
    chrome.login(d.PERSON_YOUNG, app=chrome.live.kiosk_app)
    chrome.wait_url(chrome.live.broker + "/choose/")
    cards = chrome.cards()
    assert ("An Peeters", d.PERSON_OWN_NAME_ONLY, "Mandaat aan jou") in cards  # not "Mandaat via Noor De Smet"
    assert not any("Noor De Smet" in line for _, _, line in cards)
    giver = chrome.card("An Peeters", "Mandaat aan jou")
    assert giver.find_elements(By.CSS_SELECTOR, ".taker-number") == []  # not their own number again
    chrome.screen("02b-chooser-mandaat-aan-jou")
    giver.click()
    got = chrome.attributes(chrome.live.kiosk_app)
    assert (got["LoginKind"], got["LegalSubjectID"], got["IntermediateSubjectID"]) == (
        "mandate",
        d.PERSON_OWN_NAME_ONLY,
        d.PERSON_YOUNG,
    )
    assert got["MandateType"] == "Kiosk"


def test_several_mandates_and_the_second_screen(chrome):
    chrome.login(d.PERSON_SEVERAL_TAKERS)
    chrome.wait_url(chrome.live.broker + "/choose/")
    colruyt = chrome.card("Etablissements Fr. Colruyt", "Meerdere mandaten mogelijk")
    # the link card ("Meerdere mandaten mogelijk") is as wide as the button cards beside it
    widths = {round(card.rect["width"]) for card in chrome.all("li.card .choice")}
    assert len(widths) == 1, widths
    chrome.screen("04-chooser-meerdere-mandaten")
    chrome.follow(colruyt, chrome.live.broker + "/choose/")
    assert chrome.text("h1") == "Aanmelden als Etablissements Fr. Colruyt"
    assert "De identiteit werd gevonden in meerdere bronnen" in chrome.text("main")
    assert sorted(c[2] for c in chrome.cards()) == [
        "Mandaat via DELOITTE Belastingconsulenten",
        "Mandaat via PricewaterhouseCoopers Tax Consultants",
    ]
    chrome.screen("05-second-screen-aanmelden-als")
    chrome.card("Etablissements Fr. Colruyt", "Mandaat via PricewaterhouseCoopers Tax Consultants").click()
    got = chrome.attributes()
    assert (got["LegalSubjectID"], got["IntermediateSubjectID"]) == (d.COLRUYT, d.PWC)


def test_no_option_explains_and_returns_a_denial(chrome):
    chrome.login(d.PERSON_NO_OPTION, app=chrome.live.strict_app)
    chrome.wait_url(chrome.live.broker + "/saml/")
    assert chrome.text("h1") == "Je hebt geen toegang tot deze toepassing"
    reasons = [li.text for li in chrome.all("ul.explanations li")]
    assert "Deze toepassing laat niet toe om in eigen naam aan te melden." in reasons
    assert any("PARKWIND" in r and "beëindigd" in r for r in reasons)
    assert any("Kiosk" in r and "Emmaüs" in r for r in reasons)
    for stranger in ("Colruyt", "BAROCY", "BALOISE", "DELOITTE"):  # parties she has no link with
        assert stranger not in chrome.text("main")
    chrome.screen("06-no-option")
    chrome.follow(chrome.css("main form button[name=cancel]"), chrome.live.strict_app + "/saml/acs")
    assert "Aanmelden geweigerd" in chrome.text("h1")  # the SP validated the broker's signed denial
    assert "RequestDenied" in chrome.text() or "no option chosen" in chrome.text()


def test_switch_organisation(chrome):
    chrome.login(d.PERSON_EXECUTOR)
    chrome.wait_url(chrome.live.broker + "/choose/")
    chrome.card("Emmaüs").click()
    assert chrome.attributes()["LegalSubjectID"] == d.EMMAUS
    chrome.follow(
        chrome.driver.find_element(By.LINK_TEXT, "Wissel van organisatie"), chrome.live.broker + "/choose/"
    )  # no second visit to the authenticator
    chrome.screen("07-switch-chooser")
    chrome.card("Interuniversitair Micro-Electronica Centrum").click()
    got = chrome.attributes()
    assert (got["LegalSubjectID"], got["ActingSubjectID"]) == (d.IMEC, d.PERSON_EXECUTOR)


def test_language_from_the_browser_and_the_switch(chrome):
    chrome.driver.execute_cdp_cmd(
        "Emulation.setUserAgentOverride",
        {"userAgent": chrome.driver.execute_script("return navigator.userAgent"), "acceptLanguage": "fr-BE,fr;q=0.9"},
    )
    chrome.login(d.PERSON_SEVERAL_TAKERS)
    chrome.wait_url(chrome.live.broker + "/choose/")
    assert chrome.text("h1") == "Sélectionnez au nom de qui vous souhaitez vous connecter"
    assert chrome.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert ("Etablissements Fr. Colruyt", d.COLRUYT, "Plusieurs mandats possibles") in chrome.cards()
    chrome.screen("08-chooser-francais")
    chrome.follow(chrome.driver.find_element(By.LINK_TEXT, "Deutsch"), chrome.live.broker + "/choose/")
    assert chrome.text("h1") == "Wählen Sie, in wessen Namen Sie sich anmelden möchten"
    assert chrome.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    chrome.screen("09-chooser-deutsch")
    chrome.card("BALOISE BELGIUM", "Mandat über DELOITTE Belastingconsulenten").click()
    got = chrome.attributes()
    assert (got["LegalSubjectID"], got["IntermediateSubjectID"]) == (d.BALOISE, d.DELOITTE)


def test_the_accessibility_checker_does_find_violations(chrome):
    chrome.open(chrome.live.broker + "/logged-out")
    assert chrome.axe() == []
    chrome.driver.execute_script(
        "document.documentElement.removeAttribute('lang');document.querySelector('h1').style.color = '#eee';"
    )
    assert {"html-has-lang", "color-contrast"} <= {v["id"] for v in chrome.axe()}


def _focused(chrome) -> dict:
    return chrome.driver.execute_script(
        "const e = document.activeElement, s = getComputedStyle(e);"
        "return {tag: e.tagName, text: e.innerText || e.value || '', name: e.name || '',"
        " outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};"
    )


def test_keyboard_only(chrome):
    chrome.login(d.PERSON_EXECUTOR)
    chrome.wait_url(chrome.live.broker + "/choose/")
    keys = ActionChains(chrome.driver)
    order = []
    for _ in range(12):
        keys.send_keys(Keys.TAB).perform()
        focused = _focused(chrome)
        assert focused["outline"] != "none" and focused["width"] >= 2, focused  # visible focus
        order.append(focused["text"].split("\n")[0])
    # skip link, the language switch, the search, then the cards in reading order
    assert order[:8] == [
        "Naar de inhoud",
        "Nederlands",
        "Français",
        "Deutsch",
        "English",
        "",
        "Zoeken",
        "Lotte Verbeke",
    ]
    assert order.index("Emmaüs") > order.index("BAROCY")
    chrome.shot("10-keyboard-focus")
    while _focused(chrome)["text"].split("\n")[0] != "Emmaüs":
        keys.send_keys(Keys.TAB).perform()
    keys.send_keys(Keys.ENTER).perform()
    got = chrome.attributes()
    assert (got["LegalSubjectID"], got["IntermediateSubjectID"]) == (d.EMMAUS, d.BAROCY)


def test_tampered_option_is_refused_then_a_real_choice_works(chrome):
    chrome.login(d.PERSON_EXECUTOR)
    chrome.wait_url(chrome.live.broker + "/choose/")
    chooser = chrome.driver.current_url
    emmaus = chrome.card("Emmaüs")
    chrome.driver.execute_script("arguments[0].value = 'forged-option-id'", emmaus)
    chrome.follow(emmaus, chrome.live.broker + "/choose/")
    assert chrome.text("h1") == "Aanmelden is niet gelukt"
    assert chrome.text(".reason") == "De gekozen optie werd niet aangeboden."
    chrome.screen("11-tampered-option-error")
    chrome.open(chooser)
    chrome.card("PARKWIND").click()
    got = chrome.attributes()
    assert (got["LegalSubjectID"], got["IntermediateSubjectID"]) == (d.PARKWIND, d.BAROCY)


def test_directed_login_without_that_option_shows_a_message(chrome):
    chrome.login(d.PERSON_EXECUTOR, path=f"/login?giver={d.COLRUYT}")
    chrome.wait_url(chrome.live.broker + "/choose/")
    assert d.COLRUYT in chrome.text(".notice")
    assert all(number != d.COLRUYT for _, number, _ in chrome.cards())
    chrome.screen("12-directed-login-not-available")
    chrome.card("PARKWIND").click()
    assert chrome.attributes()["LegalSubjectID"] == d.PARKWIND
