"""Headless Chromium (Debian's chromium + chromedriver) through Selenium, with the helpers the
browser tests share: log in at the demo authenticator, read the application's attributes, run
axe-core, take screenshots."""

import json
import os
import re

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCREENSHOTS = os.path.join(REPO, "screenshots")
AXE = os.path.join(REPO, ".npm", "node_modules", "axe-core", "axe.min.js")
PREFIX = "urn:mandaatbroker:1.0:"
# a ceiling for waits on what changes (a page, a URL), never a pause: generous for a busy machine
WAIT = 60
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def new_driver() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1100",
        "--lang=nl-BE",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "nl-BE,nl"})
    # chromedriver from Debian's chromium-driver: never let Selenium download one
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def gone(element):
    """staleness_of, also when chromedriver answers for the old document's node with "Node with
    given id does not belong to the document" (seen under load) instead of a stale reference."""

    def check(driver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return check


class Chrome:
    def __init__(self, driver, live):
        self.driver = driver
        self.live = live

    # navigation
    def open(self, url: str):
        self.driver.get(url)

    def wait_url(self, prefix: str, timeout: float = WAIT):
        WebDriverWait(self.driver, timeout).until(lambda d: d.current_url.startswith(prefix))
        WebDriverWait(self.driver, timeout).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def follow(self, element, prefix: str, timeout: float = WAIT):
        """Click something that loads a page, and wait for that new page: the old document must be
        gone first (a POST or a redirect back to the same URL leaves the URL as it was, so waiting
        on the URL alone could return at once and read the old page)."""
        old = self.css("html")
        element.click()
        self.wait_gone(old, timeout)
        self.wait_url(prefix, timeout)

    def wait_gone(self, old, timeout: float = WAIT):
        """Wait until the element `old` of the previous document is gone (see gone())."""
        WebDriverWait(self.driver, timeout).until(gone(old))

    def css(self, selector: str):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def text(self, selector: str = "body") -> str:
        return self.css(selector).text

    def login(self, person: str, app: str | None = None, path: str = "/login"):
        """From the application to the demo authenticator, pick the person, arrive past it."""
        self.open((app or self.live.app) + path)
        self.wait_url(self.live.upstream + "/sso")
        self.css(f"input[name=person][value='{person}']").click()
        old = self.css("html")
        self.css("button[type=submit]").click()
        self.wait_gone(old)
        WebDriverWait(self.driver, WAIT).until(lambda d: not d.current_url.startswith(self.live.upstream))

    def card(self, party: str, via: str | None = None):
        for card in self.all("li.card"):
            name = card.find_element(By.CSS_SELECTOR, ".party").text
            line = card.find_element(By.CSS_SELECTOR, ".via").text
            if name == party and (via is None or line == via):
                return card.find_element(By.CSS_SELECTOR, ".choice")
        raise AssertionError(f"no card {party!r} {via!r} in {self.cards()}")

    def cards(self) -> list[tuple[str, str, str]]:
        return [
            (
                c.find_element(By.CSS_SELECTOR, ".party").text,
                c.find_element(By.CSS_SELECTOR, ".number").text,
                c.find_element(By.CSS_SELECTOR, ".via").text,
            )
            for c in self.all("li.card")
        ]

    def attributes(self, app: str | None = None) -> dict[str, str]:
        """What the application's SP validated, as its page shows it (name without prefix → value)."""
        self.wait_url((app or self.live.app) + "/")
        rows = self.all("table tr")
        assert rows, self.text()
        return {
            r.find_element(By.TAG_NAME, "th").text.removeprefix(PREFIX): r.find_element(By.TAG_NAME, "td").text
            for r in rows
        }

    # checks
    def axe(self) -> list[dict]:
        """axe-core's violations on the current page. Injected through WebDriver (not a <script>),
        which the broker's Content-Security-Policy does not govern."""
        if not self.driver.execute_script("return typeof window.axe === 'object'"):
            self.driver.execute_script(open(AXE, encoding="utf-8").read())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            ".then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => n.target.join(' '))})))), e => done(JSON.stringify([{id: 'error', nodes: [String(e)]}])));",
            AXE_TAGS,
        )
        return json.loads(result)

    def shot(self, name: str) -> str:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        path = os.path.join(SCREENSHOTS, re.sub(r"[^a-z0-9_-]+", "-", name.lower()) + ".png")
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(800, min(int(height) + 140, 4000)))
        self.driver.save_screenshot(path)
        return path

    def screen(self, name: str):
        """Every broker screen: a screenshot for the reviewer and zero axe-core violations."""
        self.shot(name)
        assert self.axe() == [], name
