"""SAML 2.0: the IdP side toward applications, the SP side toward the upstream authenticator."""
