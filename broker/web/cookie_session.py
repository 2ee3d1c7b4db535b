"""Flask's signed-cookie sessions, with the signing serializer built once per app and plain JSON.

Flask builds the serializer anew when it opens and when it saves each request's session; the
secret keys never change while the app runs, so once is enough. Every value the broker, flask-login
and Flask-WTF keep in the session is a string or a boolean, so plain JSON does; Flask's tagged JSON
walks every value to look for tuples, bytes and dates that never come, and reads plain JSON alike.

The signer is made once per salt and derives its key from each secret once (itsdangerous makes a
signer and derives the key, one HMAC, per dumps and per loads), and the HMAC-SHA1 is hashlib's
one-shot C call: the same key, the same signature bytes, the same cookie format.
"""

import hashlib
import hmac
import json

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm


class _PlainJson:
    @staticmethod
    def dumps(value) -> str:
        return json.dumps(value, separators=(",", ":"))

    @staticmethod
    def loads(value):
        return json.loads(value)


class _Sha1Hmac(HMACAlgorithm):
    """HMACAlgorithm(sha1) by hmac.digest (C, no HMAC object per call)."""

    def __init__(self):
        super().__init__(hashlib.sha1)

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, "sha1")


class _KeyedSigner(TimestampSigner):
    """A TimestampSigner that derives the key of each secret once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes, bytes] = {}

    def derive_key(self, secret_key=None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else secret_key
        key = self._derived.get(secret)
        if key is None:
            key = self._derived[secret] = super().derive_key(secret)
        return key


class _SignerPerSalt(URLSafeTimedSerializer):
    signer = _KeyedSigner

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._signers: dict = {}

    def make_signer(self, salt=None):
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer


class CookieSessions(SecureCookieSessionInterface):
    serializer = _PlainJson()

    def get_signing_serializer(self, app):
        serializer = app.extensions.get("session_serializer")
        if serializer is None and app.secret_key:
            keys = [*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key]  # newest last, as Flask
            serializer = app.extensions["session_serializer"] = _SignerPerSalt(
                keys,
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": hashlib.sha1,
                    "algorithm": _Sha1Hmac(),
                },
            )
        return serializer
