from mandates_store import demo_data
from tests.conftest import APP


def login_at_upstream(browser, person):
    page = browser.get(APP + "/login")
    assert page.url.startswith("http://localhost:8090/sso"), page.url
    return browser.submit(page, {"person": person, "means": "eid"})


def test_own_name(browser):
    page = login_at_upstream(browser, demo_data.PERSON_OWN_NAME_ONLY)
    print(page.url, page.status, page.text[:3000])
    assert page.url == APP + "/"
