"""The SAML side: this application is a pysaml2 SP of the broker, like any e-loket."""

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, ExtensionElement
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.samlp import Extensions

from selfservice.settings import Settings
from selfservice.xmlsec_backend import use_xmlsec

MB = "urn:mandaatbroker:1.0"
PREFIX = MB + ":"
SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def sp_config(settings: Settings, with_broker: bool = True) -> dict:
    base = settings.base_url
    return {
        "entityid": settings.entity_id,
        "key_file": settings.sp_key,
        "cert_file": settings.sp_cert,
        "crypto_backend": "XMLSecurity",  # replaced by the in-process backend
        "metadata": {"local": [settings.broker_metadata]} if with_broker else {},
        "signing_algorithm": SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": 60,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Mandatenbeheer",
                "endpoints": {
                    "assertion_consumer_service": [(base + "/saml/acs", BINDING_HTTP_POST)],
                    "single_logout_service": [(base + "/saml/slo", BINDING_HTTP_REDIRECT)],
                },
                "idp": [settings.broker_entity_id] if with_broker else [],
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_response_signed": True,
                "want_assertions_signed": True,
                "allow_unsolicited": False,
            }
        },
    }


def _load(config: dict) -> SPConfig:
    conf = SPConfig()
    conf.load(config)
    return conf


def sp_metadata(settings: Settings) -> str:
    """This application's SP metadata, for the broker's metadata folder."""
    return str(entity_descriptor(_load(sp_config(settings, with_broker=False))))


def client(settings: Settings) -> Saml2Client:
    entity = Saml2Client(config=_load(sp_config(settings)))
    use_xmlsec(entity)
    return entity


def switch_extension() -> Extensions:
    """<mb:Switch/>: the broker shows its chooser again even within its session."""
    return Extensions(extension_elements=[ExtensionElement("Switch", namespace=MB)])


def identity(ava: dict) -> dict[str, str]:
    """The broker's attributes, by key without the prefix, one value each."""
    return {name.removeprefix(PREFIX): str(values[0]) for name, values in ava.items() if values}
