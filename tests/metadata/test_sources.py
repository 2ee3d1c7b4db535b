"""Metadata from URLs and pinned files: accepted, refused, refreshed, cached across restarts."""

import logging
import os
from datetime import UTC, datetime, timedelta

import pytest

from broker.saml import ns
from broker.saml.metadata import MetadataRegistry
from broker.saml.metadata_sources import Refused, fetch
from tests.metadata.helpers import document, signed, sp_entity, unsigned

APP_A = "http://localhost:8100/saml/metadata"
APP_B = "http://localhost:8101/saml/metadata"


@pytest.fixture
def folders(tmp_path):
    (tmp_path / "metadata").mkdir()
    return str(tmp_path / "metadata"), str(tmp_path / "cache")


def registry(folders, source, clock=None, **kwargs):
    extra = {"clock": clock} if clock else {}
    return MetadataRegistry(folders[0], [source], folders[1], fetch_timeout=kwargs.get("timeout", 5), **extra)


def acs(registry, entity_id=APP_A):
    sp = registry.service_provider(entity_id)
    return sp and sp.consumer().location


def test_single_entity_from_url_is_accepted_and_cached(server, federation, sp_keys, folders):
    server.documents["/a.xml"] = signed(document([sp_entity("http://localhost:8100", *sp_keys)]), *federation)
    found = registry(folders, {"url": server.url("/a.xml"), "signing_cert": federation[1]})
    assert acs(found) == "http://localhost:8100/saml/acs"
    assert found.entities[APP_A].origin == "fetched" and found.entities[APP_A].source == server.url("/a.xml")
    assert found.entities[APP_A].valid_until > datetime.now(UTC)
    assert len(os.listdir(folders[1])) == 1


def test_aggregate_from_url_is_accepted(server, federation, sp_keys, folders):
    entities = [sp_entity("http://localhost:8100", *sp_keys), sp_entity("http://localhost:8101", *sp_keys)]
    server.documents["/all.xml"] = signed(document(entities, aggregate=True), *federation)
    found = registry(folders, {"url": server.url("/all.xml"), "signing_cert": federation[1]})
    assert acs(found, APP_A) == "http://localhost:8100/saml/acs"
    assert acs(found, APP_B) == "http://localhost:8101/saml/acs"


def _tampered(key, cert, sp_keys):
    data = signed(document([sp_entity("http://localhost:8100", *sp_keys)]), key, cert)
    return data.replace(b"http://localhost:8100/saml/acs", b"http://evil.example/saml/acs")


REFUSALS = {
    "unsigned": (lambda fed, other, sp: unsigned(document([sp_entity("http://localhost:8100", *sp)])), "unsigned"),
    "signed by another key": (
        lambda fed, other, sp: signed(document([sp_entity("http://localhost:8100", *sp)]), *other),
        "bad signature",
    ),
    "changed after signing": (lambda fed, other, sp: _tampered(*fed, sp), "bad signature"),
    "expired": (
        lambda fed, other, sp: signed(
            document([sp_entity("http://localhost:8100", *sp)], valid_for=timedelta(seconds=-5)), *fed
        ),
        "expired",
    ),
    "without validUntil": (
        lambda fed, other, sp: signed(document([sp_entity("http://localhost:8100", *sp)], valid_for=None), *fed),
        "no validUntil",
    ),
    "not metadata XML": (lambda fed, other, sp: b"<html><body>maintenance</body></html>", "unsigned"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_documents(case, server, federation, stranger, sp_keys, folders, caplog):
    make, reason = REFUSALS[case]
    server.documents["/a.xml"] = make(federation, stranger, sp_keys)
    with caplog.at_level(logging.WARNING, "broker.metadata"):
        found = registry(folders, {"url": server.url("/a.xml"), "signing_cert": federation[1]})
    assert found.service_provider(APP_A) is None
    line = next(r.getMessage() for r in caplog.records if "REFUSED" in r.getMessage())
    assert server.url("/a.xml") in line and reason in line and "no good copy" in line
    assert not os.path.exists(folders[1]) or os.listdir(folders[1]) == []


def test_pinned_local_file_is_refused_unsigned(federation, sp_keys, folders, tmp_path):
    path = tmp_path / "partner.xml"
    path.write_bytes(unsigned(document([sp_entity("http://localhost:8100", *sp_keys)])))
    found = registry(folders, {"path": str(path), "signing_cert": federation[1]})
    assert found.service_provider(APP_A) is None
    path.write_bytes(signed(document([sp_entity("http://localhost:8100", *sp_keys)]), *federation))
    assert (
        acs(registry(folders, {"path": str(path), "signing_cert": federation[1]})) == "http://localhost:8100/saml/acs"
    )


def test_operator_folder_needs_no_signature(sp_keys, folders):
    with open(os.path.join(folders[0], "partner.xml"), "wb") as handle:
        handle.write(unsigned(document([sp_entity("http://localhost:8100", *sp_keys)], valid_for=None)))
    found = MetadataRegistry(folders[0])
    assert acs(found) == "http://localhost:8100/saml/acs" and found.entities[APP_A].origin == "folder"


def test_expired_file_in_the_operator_folder_is_refused(sp_keys, folders, caplog):
    with open(os.path.join(folders[0], "old.xml"), "wb") as handle:
        handle.write(unsigned(document([sp_entity("http://localhost:8100", *sp_keys)], valid_for=timedelta(hours=-1))))
    with caplog.at_level(logging.WARNING, "broker.metadata"):
        assert MetadataRegistry(folders[0]).service_provider(APP_A) is None
    assert any("old.xml REFUSED: expired" in r.getMessage() for r in caplog.records)


def test_refresh_keeps_the_last_good_copy(server, federation, stranger, sp_keys, folders, caplog):
    source = {"url": server.url("/a.xml"), "signing_cert": federation[1]}
    server.documents["/a.xml"] = signed(document([sp_entity("http://localhost:8100", *sp_keys)]), *federation)
    found = registry(folders, source)
    for bad in (
        _tampered(*federation, sp_keys),
        unsigned(document([sp_entity("http://localhost:8100", *sp_keys)])),
        signed(document([sp_entity("http://localhost:8100", *sp_keys)], valid_for=timedelta(seconds=-1)), *federation),
    ):
        server.documents["/a.xml"] = bad
        with caplog.at_level(logging.WARNING, "broker.metadata"):
            outcomes = found.refresh(force=True)
        assert "last good copy kept" in outcomes[source["url"]]
        assert acs(found) == "http://localhost:8100/saml/acs"
    assert (
        sum("REFUSED" in r.getMessage() and "keeping the last good copy" in r.getMessage() for r in caplog.records) == 3
    )
    # a good new version replaces it
    moved = sp_entity("http://localhost:8100", *sp_keys)
    for node in moved.iter(ns.q("md", "AssertionConsumerService")):
        node.set("Location", "http://localhost:8100/saml/acs2")
    server.documents["/a.xml"] = signed(document([moved]), *federation)
    assert found.refresh(force=True) == {source["url"]: "accepted"}
    assert acs(found) == "http://localhost:8100/saml/acs2"


def test_a_restart_uses_the_cached_copy_when_the_source_is_bad_or_down(server, federation, sp_keys, folders, caplog):
    source = {"url": server.url("/a.xml"), "signing_cert": federation[1]}
    server.documents["/a.xml"] = signed(document([sp_entity("http://localhost:8100", *sp_keys)]), *federation)
    registry(folders, source)
    server.documents["/a.xml"] = unsigned(document([sp_entity("http://localhost:8100", *sp_keys)]))
    with caplog.at_level(logging.WARNING, "broker.metadata"):
        restarted = registry(folders, source)
    assert acs(restarted) == "http://localhost:8100/saml/acs"
    assert restarted.entities[APP_A].origin == "cache"
    assert any("using the last good copy from the cache" in r.getMessage() for r in caplog.records)
    server.close()
    down = registry(folders, source, timeout=2)
    assert acs(down) == "http://localhost:8100/saml/acs"
    assert "cannot fetch" in down.outcomes[source["url"]]


def test_a_cached_copy_past_its_validity_is_not_used(server, federation, sp_keys, folders):
    source = {"url": server.url("/a.xml"), "signing_cert": federation[1]}
    server.documents["/a.xml"] = signed(
        document([sp_entity("http://localhost:8100", *sp_keys)], valid_for=timedelta(hours=1)), *federation
    )
    registry(folders, source)
    server.documents.clear()
    later = datetime.now(UTC) + timedelta(hours=2)
    assert registry(folders, source, clock=lambda: later).service_provider(APP_A) is None


def test_lazy_refresh_honours_cache_duration(server, federation, sp_keys, folders):
    source = {"url": server.url("/a.xml"), "signing_cert": federation[1]}
    server.documents["/a.xml"] = signed(
        document([sp_entity("http://localhost:8100", *sp_keys)], cache_duration="PT10M"), *federation
    )
    moment = [datetime.now(UTC)]
    found = registry(folders, source, clock=lambda: moment[0])
    assert len(server.hits) == 1
    moved = sp_entity("http://localhost:8100", *sp_keys)
    for node in moved.iter(ns.q("md", "AssertionConsumerService")):
        node.set("Location", "http://localhost:8100/saml/acs2")
    server.documents["/a.xml"] = signed(document([moved], cache_duration="PT10M"), *federation)
    moment[0] += timedelta(minutes=9)
    assert acs(found) == "http://localhost:8100/saml/acs" and len(server.hits) == 1
    moment[0] += timedelta(minutes=2)
    assert acs(found) == "http://localhost:8100/saml/acs2" and len(server.hits) == 2
    # a refused refresh is retried later, not at every lookup
    server.documents["/a.xml"] = b"broken"
    moment[0] += timedelta(minutes=11)
    assert acs(found) == "http://localhost:8100/saml/acs2" and len(server.hits) == 3
    assert acs(found) == "http://localhost:8100/saml/acs2" and len(server.hits) == 3


def test_fetch_caps_size_and_time(server):
    server.documents["/big.xml"] = b"<x>" + b" " * 5000 + b"</x>"
    with pytest.raises(Refused, match="larger than 1000 bytes"):
        fetch(server.url("/big.xml"), timeout=5, max_bytes=1000)
    assert fetch(server.url("/big.xml"), timeout=5, max_bytes=10_000).startswith(b"<x>")
    server.delay = 1.0
    with pytest.raises(Refused, match="cannot fetch"):
        fetch(server.url("/big.xml"), timeout=0.2)


def test_sources_need_a_pin_for_urls(folders):
    with pytest.raises(ValueError, match="pinned signing_cert"):
        registry(folders, {"url": "https://metadata.example/all.xml"})
    with pytest.raises(ValueError, match="only http"):
        registry(folders, {"url": "file:///etc/passwd", "signing_cert": "x"})


def test_entity_in_aggregate_past_its_own_validity_is_left_out(server, federation, sp_keys, folders):
    old = sp_entity("http://localhost:8101", *sp_keys)
    old.set("validUntil", "2001-01-01T00:00:00Z")
    server.documents["/all.xml"] = signed(
        document([sp_entity("http://localhost:8100", *sp_keys), old], aggregate=True), *federation
    )
    found = registry(folders, {"url": server.url("/all.xml"), "signing_cert": federation[1]})
    assert acs(found, APP_A) and found.service_provider(APP_B) is None
