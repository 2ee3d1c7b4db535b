import pytest

from tests.browser_ui import live as live_servers
from tests.browser_ui.chrome import Chrome, new_driver


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    running = live_servers.start(str(tmp_path_factory.mktemp("live")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def driver():
    chrome = new_driver()
    yield chrome
    chrome.quit()


@pytest.fixture
def chrome(driver, live):
    """A clean browser for each test: no cookies of any of the parties (all on 127.0.0.1)."""
    driver.get(live.broker + "/logged-out")
    driver.delete_all_cookies()
    driver.execute_cdp_cmd(
        "Emulation.setUserAgentOverride",
        {"userAgent": driver.execute_script("return navigator.userAgent"), "acceptLanguage": "nl-BE,nl"},
    )
    return Chrome(driver, live)
