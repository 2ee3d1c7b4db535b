"""Signed metadata documents and a real local HTTP server that serves them."""

import http.server
import threading
import time
from datetime import UTC, datetime, timedelta

from lxml import etree

from broker.saml import crypto, ns
from broker.saml.keys import load_signing_key
from broker.saml.state_ids import new_message_id
from broker.saml.timefmt import format_instant
from demo.application import application_config
from demo.entities import metadata_xml


def sp_entity(
    base_url: str, key: str, cert: str, broker_idp: str = "http://localhost:8080/saml/idp/metadata"
) -> etree._Element:
    """A pysaml2 SP's EntityDescriptor, as an application would hand it over."""
    return etree.fromstring(metadata_xml(application_config(base_url, key, cert, [], broker_idp), "sp").encode())


def document(
    entities: list[etree._Element],
    valid_for: timedelta | None = timedelta(days=2),
    cache_duration: str | None = "PT1H",
    aggregate: bool = False,
) -> etree._Element:
    if aggregate:
        root = etree.Element(ns.q("md", "EntitiesDescriptor"), nsmap={"md": ns.MD, "ds": ns.DS})
        for entity in entities:
            root.append(entity)
    else:
        (root,) = entities
    root.set("ID", new_message_id())
    if valid_for is not None:
        root.set("validUntil", format_instant(datetime.now(UTC) + valid_for))
    if cache_duration:
        root.set("cacheDuration", cache_duration)
    return root


def signed(root: etree._Element, key: str, cert: str) -> bytes:
    crypto.sign(root, load_signing_key(key, cert))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def unsigned(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class MetadataServer:
    """http.server on 127.0.0.1 with an ephemeral port; `documents[path]` is what it serves."""

    def __init__(self):
        self.documents: dict[str, bytes] = {}
        self.hits: list[str] = []
        self.delay = 0.0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append(self.path)
                time.sleep(server.delay)
                body = server.documents.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/samlmetadata+xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size cap, timeout): that is what a test wanted

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
