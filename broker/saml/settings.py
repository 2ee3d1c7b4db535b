"""The broker's own SAML identity: entity IDs, endpoints, keys, tolerances."""

from dataclasses import dataclass

from broker.saml.keys import SigningKey


@dataclass(frozen=True)
class SamlSettings:
    base_url: str
    signing_key: SigningKey
    decryption_key_path: str | None
    upstream_entity_id: str
    upstream_id_attribute: str = "urn:be:fgov:person:ssin"
    upstream_name_attributes: tuple[str, ...] = ("urn:oid:2.5.4.42", "urn:oid:2.5.4.4")  # givenName, sn
    # which upstream elements must carry a valid signature: "assertion", "response", "both" or "either"
    upstream_signed: str = "assertion"
    want_authn_requests_signed: bool = False  # from every application, whatever its policy says
    clock_skew: int = 60
    request_max_age: int = 300
    assertion_lifetime: int = 300
    authn_levels: tuple[tuple[str, ...], ...] = ()  # levels of assurance, weak to strong (broker.saml.authn_context)
    next_decryption_key_path: str | None = None  # rollover: tried too, published beside the current

    @property
    def decryption_key_paths(self) -> tuple[str, ...]:
        return tuple(p for p in (self.decryption_key_path, self.next_decryption_key_path) if p)

    @property
    def idp_entity_id(self) -> str:
        return self.base_url + "/saml/idp/metadata"

    @property
    def sso_url(self) -> str:
        return self.base_url + "/saml/idp/sso"

    @property
    def idp_slo_url(self) -> str:
        return self.base_url + "/saml/idp/slo"

    @property
    def sp_entity_id(self) -> str:
        return self.base_url + "/saml/sp/metadata"

    @property
    def acs_url(self) -> str:
        return self.base_url + "/saml/sp/acs"

    @property
    def sp_slo_url(self) -> str:
        return self.base_url + "/saml/sp/slo"
