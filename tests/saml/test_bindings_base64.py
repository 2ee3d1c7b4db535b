"""The bindings' base64: strict, as base64.b64decode(validate=True) was before its regex pass went."""

import base64

import pytest

from broker.saml.bindings import _b64
from broker.saml.errors import SamlError


@pytest.mark.parametrize("value", ["", "YQ==", "YWI=", "YWJj", "YR==", "PHNhbWxwOlJlc3BvbnNlLz4="])
def test_valid_base64_decodes_as_before(value):
    assert _b64(value) == base64.b64decode(value, validate=True)


@pytest.mark.parametrize(
    "value",
    ["YQ", "YQ=", "YQ===", "=YQ==", "YQ==YQ==", "Y Q==", "YQ==\n", "YW=J", "Y$Q=", "YWJj\x00", "YWJj-_", "é"],
)
def test_anything_else_is_refused(value):
    with pytest.raises(SamlError, match="not valid base64"):
        _b64(value)
