from tests.conftest import APP, UPSTREAM

PREFIX = "urn:mandaatbroker:1.0:"


def login_at_upstream(browser, person, app=APP):
    page = browser.get(app + "/login")
    assert page.url.startswith(UPSTREAM + "/sso"), page.url
    return browser.submit(page, {"person": person, "means": "eid"})


def received(browser, app=APP) -> dict[str, str]:
    """What the application's SP validated and kept: attribute name (without prefix) -> value."""
    client = browser.clients[app.split("//")[1]]
    with client.session_transaction() as session:
        attributes = session.get("attributes") or {}
    return {name.removeprefix(PREFIX): ", ".join(values) for name, values in attributes.items()}


def cards(page):
    """(party name, number, line under it, button value or link) for each chooser card."""

    def one(node, css_class):
        return node.xpath(f".//*[contains(concat(' ', @class, ' '), ' {css_class} ')]")[0]

    found = []
    for card in page.doc.xpath("//li[@class='card']"):
        choice = one(card, "choice")
        found.append(
            (
                one(card, "party").text_content().strip(),
                one(card, "number").text_content().strip(),
                one(card, "via").text_content().strip(),
                choice.get("value") or choice.get("href"),
            )
        )
    return found


def choose(browser, page, party_name, via=None):
    for name, _, line, target in cards(page):
        if name == party_name and (via is None or line == via):
            if target.startswith("/"):
                return browser.get(page.url.split("/choose")[0] + target)
            return browser.submit(page, {"option": target}, index=len(page.doc.forms) - 1)
    raise AssertionError(f"no card {party_name} {via} in {cards(page)}")
