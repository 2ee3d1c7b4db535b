"""Fuzzing the two doors with hypothesis: random bytes and mutations of a genuine upstream Response
(pysaml2's own, signed) and of a genuine signed AuthnRequest. Never a 500, never a stack trace, and
never an acceptance unless the message is, canonically, the untouched genuine one."""

import base64
import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import APP, UPSTREAM
from tests.security.forge import ACS, genuine_upstream_post, session_count

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _c14n(data: bytes) -> bytes | None:
    try:
        return etree.tostring(etree.fromstring(data), method="c14n")
    except Exception:
        return None


def flip(data: bytes, positions, values) -> bytes:
    out = bytearray(data)
    for at, value in zip(positions, values):
        if out:
            out[at % len(out)] = value
    return bytes(out)


def element_edit(data: bytes, index: int, action: str) -> bytes:
    root = etree.fromstring(data)
    nodes = list(root.iter())
    node = nodes[index % len(nodes)]
    parent = node.getparent()
    if action == "drop" and parent is not None:
        parent.remove(node)
    elif action == "duplicate" and parent is not None:
        node.addnext(etree.fromstring(etree.tostring(node)))
    elif action == "attribute" and node.attrib:
        name = sorted(node.attrib)[index % len(node.attrib)]
        node.set(name, node.get(name)[::-1] + "x")
    elif action == "text":
        node.text = (node.text or "") + "1"
    return etree.tostring(root)


mutation = st.one_of(
    st.tuples(
        st.just("flip"),
        st.lists(st.integers(0, 10**6), min_size=1, max_size=4),
        st.lists(st.integers(0, 255), min_size=4, max_size=4),
    ),
    st.tuples(st.just("element"), st.integers(0, 500), st.sampled_from(["drop", "duplicate", "attribute", "text"])),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(None)),
    st.tuples(st.just("random"), st.binary(max_size=2000), st.just(None)),
)


def mutate(data: bytes, how) -> bytes:
    kind, a, b = how
    if kind == "flip":
        return flip(data, a, b)
    if kind == "element":
        return element_edit(data, a, b)
    if kind == "truncate":
        return data[: a % max(len(data), 1)]
    return a


def test_fuzz_the_acs(browser, parties):
    fields = genuine_upstream_post(browser)
    original = base64.b64decode(fields["SAMLResponse"])
    reference = _c14n(original)

    @FUZZ
    @given(how=mutation, reencode=st.sampled_from(["plain", "wrapped", "deflated"]))
    def attempt(how, reencode):
        data = mutate(original, how)
        encoded = base64.b64encode(zlib.compress(data)[2:-4] if reencode == "deflated" else data).decode()
        if reencode == "wrapped":
            encoded = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
        before = session_count(parties)
        page = browser.go("POST", ACS, dict(fields, SAMLResponse=encoded), autopost=False)
        assert page.status < 500 and "Traceback" not in page.text
        if session_count(parties) > before:  # accepted: only the genuine message, and only once
            assert reencode != "deflated" and _c14n(data) == reference, data[:300]
        else:
            assert 400 <= page.status < 500

    attempt()
    assert session_count(parties) <= 1


def test_fuzz_the_sso(browser, parties):
    login = browser.raw("GET", APP + "/login")
    params = dict(parse_qsl(urlsplit(login.url).query))
    original = zlib.decompress(base64.b64decode(params["SAMLRequest"]), -15)

    def flows():
        return parties["broker"].extensions["state"].conn.execute("SELECT count(*) FROM flows").fetchone()[0]

    @FUZZ
    @given(how=mutation, keep_signature=st.booleans(), post=st.booleans())
    def attempt(how, keep_signature, post):
        data = mutate(original, how)
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        before = flows()
        if post:  # the POST binding: plain base64, no query signature at all
            page = browser.raw(
                "POST",
                "http://localhost:8080/saml/idp/sso",
                {"SAMLRequest": base64.b64encode(data).decode(), "RelayState": "/"},
            )
        else:
            query = dict(params, SAMLRequest=base64.b64encode(compressor.compress(data) + compressor.flush()).decode())
            if not keep_signature:
                query.pop("Signature"), query.pop("SigAlg")
            page = browser.raw("GET", "http://localhost:8080/saml/idp/sso?" + urlencode(query))
        assert page.status < 500 and "Traceback" not in page.text
        if flows() > before:  # a request was accepted: it must have been unsigned (signing is optional here)
            assert post or not keep_signature or _c14n(data) == _c14n(original)
            assert page.status == 303 and page.url.startswith(UPSTREAM + "/sso")
        else:
            assert 400 <= page.status < 500, page.status

    attempt()
