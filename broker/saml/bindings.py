"""HTTP-Redirect and HTTP-POST bindings: decode with caps, encode with signatures."""

import base64
import binascii
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from lxml import etree

from broker.saml import crypto, ns, xmlsafe
from broker.saml.errors import SamlError
from broker.saml.keys import SigningKey

MAX_RELAY_STATE = 80  # bytes, as the SAML bindings specification says
MAX_ENCODED_BYTES = 400_000


@dataclass
class Received:
    """A SAML message as it arrived, before anyone trusts it."""

    root: etree._Element
    binding: str
    relay_state: str | None
    # Redirect binding only: the signed octets, the algorithm and the signature
    signed_query: bytes | None = None
    sig_alg: str | None = None
    signature: bytes | None = None

    def verify_redirect_signature(self, keys) -> bool:
        """True when a query signature is present and valid; raises when present and invalid."""
        if self.signature is None:
            return False
        crypto.verify_query(self.signed_query, self.sig_alg or "", self.signature, keys)
        return True


def _b64(value: str) -> bytes:
    """Strict base64: only the alphabet, padding only at the end. As b64decode(validate=True),
    without its regular-expression pass over the whole value (~0.5 M instructions per login)."""
    try:
        return binascii.a2b_base64(value.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise SamlError("The SAML message is not valid base64.") from None


def _relay_state(value: str | None) -> str | None:
    if value is not None and len(value.encode("utf-8")) > MAX_RELAY_STATE:
        raise SamlError("The RelayState is longer than 80 bytes.")
    return value


def receive_redirect(raw_query: str, message_param: str) -> Received:
    """Decode a Redirect-binding message; `raw_query` is the undecoded query string."""
    if len(raw_query) > MAX_ENCODED_BYTES:
        raise SamlError("The SAML message is too large.")
    raw = dict()
    for part in raw_query.split("&"):
        name, _, value = part.partition("=")
        if name in raw:
            raise SamlError("A SAML parameter appears twice.", name)
        raw[name] = value
    values = dict(parse_qsl(raw_query, keep_blank_values=True))
    if message_param not in values:
        raise SamlError(f"The request carries no {message_param}.")
    xml = xmlsafe.inflate(_b64("".join(values[message_param].split())))
    root = xmlsafe.parse(xml)
    received = Received(root, ns.BINDING_REDIRECT, _relay_state(values.get("RelayState")))
    if "Signature" in values:
        if not raw_query.isascii():  # signed octets are percent-encoded ASCII; anything else cannot verify
            raise SamlError("The SAML signature is not valid.", "non-ASCII octets in a signed query")
        # The signature covers the parameters exactly as they were encoded on the wire.
        parts = [f"{message_param}={raw[message_param]}"]
        if "RelayState" in raw:
            parts.append(f"RelayState={raw['RelayState']}")
        parts.append(f"SigAlg={raw.get('SigAlg', '')}")
        received.signed_query = "&".join(parts).encode("ascii")
        received.sig_alg = values.get("SigAlg")
        received.signature = _b64(values["Signature"])
    return received


def receive_post(form, message_param: str) -> Received:
    """Decode a POST-binding message. A POSTed message is never inflated."""
    value = form.get(message_param)
    if not value:
        raise SamlError(f"The request carries no {message_param}.")
    if len(value) > MAX_ENCODED_BYTES:
        raise SamlError("The SAML message is too large.")
    root = xmlsafe.parse(_b64("".join(value.split())))
    return Received(root, ns.BINDING_POST, _relay_state(form.get("RelayState")))


def redirect_url(
    location: str, message: etree._Element, message_param: str, relay_state: str | None, signing_key: SigningKey | None
) -> str:
    """Deflate, encode and (when a key is given) sign a message for the Redirect binding."""
    xml = etree.tostring(message)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(xml) + compressor.flush()
    query = f"{message_param}={_quote_b64(base64.b64encode(deflated))}"
    if relay_state is not None:
        query += "&" + urlencode([("RelayState", relay_state)])
    if signing_key is not None:
        query += "&" + urlencode([("SigAlg", signing_key.algorithm)])
        signature = crypto.sign_query(query.encode("ascii"), signing_key)
        query += f"&Signature={_quote_b64(base64.b64encode(signature))}"
    return location + ("&" if "?" in location else "?") + query


def _quote_b64(value: bytes) -> str:
    """What urlencode makes of base64, character by character in Python: only + / = change."""
    return value.decode("ascii").replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


@dataclass(frozen=True)
class Outgoing:
    """A message ready for the browser to carry: to `url` by redirect, or posted to it when `fields` is set."""

    url: str
    fields: dict[str, str] | None = None


def outgoing(
    endpoint,
    message: etree._Element,
    message_param: str,
    relay_state: str | None,
    signing_key: SigningKey,
    location: str | None = None,
) -> Outgoing:
    """Send `message` to a metadata endpoint by its binding; signed either way (query or XML signature)."""
    location = location or endpoint.location
    if endpoint.binding == ns.BINDING_REDIRECT:
        return Outgoing(redirect_url(location, message, message_param, relay_state, signing_key))
    crypto.sign(message, signing_key)
    return posted(location, message, message_param, relay_state)


def posted(location: str, message: etree._Element, message_param: str, relay_state: str | None) -> Outgoing:
    """An already signed message (or none needed) for the HTTP-POST binding."""
    return Outgoing(location, post_fields(message, message_param, relay_state))


class Base64Text(str):
    """The base64 of some bytes, and nothing else: made only by encoding bytes (a str given to it
    is refused), so it holds only A-Z a-z 0-9 + / =, none of the characters HTML escapes. Pages
    write it as it is (markupsafe's __html__): escaping a login's ~13 KB value scanned it in vain."""

    __slots__ = ()

    def __new__(cls, data: bytes):
        return super().__new__(cls, binascii.b2a_base64(data, newline=False).decode("ascii"))

    def __html__(self) -> str:
        return str.__str__(self)

    def __reduce__(self):  # a copy or a pickle is a plain str, escaped again as any other
        return str, (str.__str__(self),)


def post_fields(message: etree._Element, message_param: str, relay_state: str | None) -> dict[str, str]:
    fields = {message_param: Base64Text(etree.tostring(message, xml_declaration=True, encoding="UTF-8"))}
    if relay_state is not None:
        fields["RelayState"] = relay_state
    return fields
