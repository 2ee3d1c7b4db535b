import os

import pytest

from broker import create_app
from broker.saml.certgen import generate
from demo.upstream import create_upstream_app
from tests.browser import Browser
from tests.browser_ui.chrome import Chrome, new_driver
from tests.interop.onelogin_sp import create_onelogin_app, sp_metadata, sp_settings

ONELOGIN = "http://localhost:8002"

POLICY = """entity_id: http://localhost:8002/metadata
mandate_types: [WSE Loket]
login:
  own_name: true
  work_relationship: true
  mandate: true
skip_single_option: true
signing: {signing}
encrypt_assertion: {encrypt}
"""


# the stacks' tests (node-saml, Shibboleth, SimpleSAMLphp): one headless chromium per module, a clean
# one per test; `live` is each module's own broker and peers
@pytest.fixture(scope="module")
def driver():
    chrome = new_driver()
    yield chrome
    chrome.quit()


@pytest.fixture
def chrome(driver, live):
    driver.get(live.broker + "/logged-out")
    driver.delete_all_cookies()
    return Chrome(driver, live)


@pytest.fixture
def onelogin(demo, tmp_path):
    """Builds the broker, the demo upstream and a python3-saml application that exchanged only metadata."""

    def build(
        signing: str,
        encrypt: bool,
        demanded: str,
        upstream_signs=("response", "assertion"),
        upstream_signed_setting: str | None = None,
    ):
        key, cert = str(tmp_path / "onelogin.key"), str(tmp_path / "onelogin.crt")
        generate(key, cert, "onelogin-sp")
        settings = sp_settings(ONELOGIN, key, cert, encrypted=encrypt, signed=demanded)
        with open(os.path.join(demo.broker["METADATA_DIR"], "onelogin.xml"), "w") as handle:
            handle.write(sp_metadata(settings))
        policy_dir = demo.broker["POLICY_DIR"]
        with open(os.path.join(policy_dir, "onelogin.yaml"), "w") as handle:
            handle.write(POLICY.format(signing=signing, encrypt=str(encrypt).lower()))
        config = dict(demo.broker)
        if upstream_signed_setting:
            config["UPSTREAM_SIGNED"] = upstream_signed_setting
        broker = create_app(config)
        idp_metadata = broker.test_client().get("/saml/idp/metadata").get_data(as_text=True)
        application = create_onelogin_app(settings, idp_metadata, "onelogin-secret")
        upstream = create_upstream_app(
            **demo.upstream, sign_response="response" in upstream_signs, sign_assertion="assertion" in upstream_signs
        )
        browser = Browser({"localhost:8080": broker, "localhost:8090": upstream, "localhost:8002": application})
        return browser, application

    return build
