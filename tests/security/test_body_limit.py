"""An oversized POST is refused before its form is parsed: a worker's peak memory stays within a
small multiple of the cap (bench/body_memory.py measures it in a process of its own)."""

import json
import os
import subprocess
import sys

import pytest

from broker.settings import MAX_BODY_BYTES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# With a Content-Length over the cap: 413 before a byte is read. Chunked (no length): the stream is
# cut at the cap, and the broker's own size check refuses what was read (400).
@pytest.mark.parametrize("chunked, status", [(False, 413), (True, 400)], ids=["content-length", "chunked"])
def test_a_12_mib_post_is_refused_before_parsing(demo, tmp_path, chunked, status):
    config = tmp_path / "broker.json"
    config.write_text(json.dumps(demo.broker))
    command = [sys.executable, os.path.join(ROOT, "bench", "body_memory.py"), "--mib", "12", "--config", str(config)]
    done = subprocess.run(command + (["--chunked"] if chunked else []), capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["status"] == status, figures
    assert figures["peak_growth_mib"] * 1024 * 1024 <= 4 * MAX_BODY_BYTES, figures


def test_a_body_under_the_cap_reaches_the_brokers_own_check(browser, parties):
    page = browser.go("POST", "http://localhost:8080/saml/idp/sso", {"SAMLRequest": "A" * 600_000})
    assert page.status == 400
    assert "The SAML message is too large." in page.text or "te groot" in page.text


def test_an_oversized_post_gets_the_brokers_error_page(browser, parties):
    page = browser.go("POST", "http://localhost:8080/saml/idp/sso", {"SAMLRequest": "A" * (MAX_BODY_BYTES + 1)})
    assert page.status == 413
    assert page.doc.xpath("//*[@class='reason']"), page.text[:300]
