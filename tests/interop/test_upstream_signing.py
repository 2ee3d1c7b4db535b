"""The broker accepts an upstream IdP that signs only the assertion, or only the response, as
UPSTREAM_SIGNED allows, and refuses an answer signed less than it demands."""

import logging

import pytest

from mandates_store import demo_data as d
from tests.conftest import BROKER
from tests.interop.test_python3_saml import attributes, login


@pytest.mark.parametrize(
    "signs, setting",
    [
        (("assertion",), "assertion"),
        (("response",), "response"),
        (("response",), "either"),
        (("assertion",), "either"),
        (("response", "assertion"), "both"),
    ],
)
def test_upstream_signing_accepted(onelogin, signs, setting):
    browser, _ = onelogin(
        signing="both", encrypt=False, demanded="both", upstream_signs=signs, upstream_signed_setting=setting
    )
    page = login(browser)
    assert page.text == "signed in", page.text[:300]
    assert attributes(browser)["ActingSubjectID"] == [d.PERSON_OWN_NAME_ONLY]


@pytest.mark.parametrize(
    "signs, setting",
    [
        (("response",), "assertion"),
        (("assertion",), "response"),
        (("assertion",), "both"),
    ],
)
def test_upstream_signing_refused(onelogin, signs, setting, caplog):
    browser, _ = onelogin(
        signing="both", encrypt=False, demanded="both", upstream_signs=signs, upstream_signed_setting=setting
    )
    with caplog.at_level(logging.WARNING, "broker"):
        page = login(browser)
    # refused by the broker, which answers the application's request with a failure status
    assert page.status == 400 and "was Responder" in page.text and not page.url.startswith(BROKER), page.url
    assert any("not signed as required" in r.getMessage() for r in caplog.records)
    assert attributes(browser) == {}
