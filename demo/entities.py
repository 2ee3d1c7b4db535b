"""pysaml2 entities for the demo and the tests, on the broker's in-process crypto backend."""

from saml2.config import Config, IdPConfig, SPConfig
from saml2.metadata import entity_descriptor

from demo.pysaml2_backend import use_xmlsec

SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def base_config(entity_id: str, key: str, cert: str, metadata_files: list[str]) -> dict:
    return {
        "entityid": entity_id,
        "key_file": key,
        "cert_file": cert,
        "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
        "crypto_backend": "XMLSecurity",  # replaced by the in-process backend; keeps xmlsec1 out
        "metadata": {"local": metadata_files} if metadata_files else {},
        "signing_algorithm": SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": 60,
    }


def load(config: dict, kind: str) -> Config:
    conf = IdPConfig() if kind == "idp" else SPConfig()
    conf.load(config)
    return conf


def metadata_xml(config: dict, kind: str) -> str:
    return str(entity_descriptor(load(config, kind)))


def with_backend(entity):
    use_xmlsec(entity)
    return entity
