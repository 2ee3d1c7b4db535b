from tests.conftest import UPSTREAM
from tests.e2e.helpers import cards, choose

SELF = "http://localhost:8070"


def log_in(browser, person, party_name=None, via=None):
    """Through the real broker: the SP's AuthnRequest, the demo authenticator, the chooser."""
    page = browser.get(SELF + "/login")
    if page.url.startswith(UPSTREAM + "/sso"):
        page = browser.submit(page, {"person": person, "means": "eid"})
    if party_name is not None:
        assert "/choose/" in page.url, page.text[:300]
        name = next(n for n, _, line, _ in cards(page) if n.startswith(party_name) and (via is None or line == via))
        page = choose(browser, page, name, via=via)
    return page


def logged_in_for(page) -> str:
    who = page.doc.xpath("//*[@id='who']//*[contains(@class,'party')]")
    return who[0].text_content().strip() if who else ""


def words(page) -> str:
    """The page's visible text, whitespace collapsed."""
    return " ".join(page.doc.text_content().split())


def submit(browser, page, values=None):
    """The page's own form: the last one (the header's "Afmelden" form comes first)."""
    return browser.submit(page, values, index=len(page.doc.forms) - 1)
