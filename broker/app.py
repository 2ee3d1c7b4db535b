"""The application factory."""

import os

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from broker.config import resolve
from broker.login_flow import LoginFlow
from broker.logout_flow import LogoutFlow
from broker.policy.registry import PolicyRegistry
from broker.saml.metadata import MetadataRegistry
from broker.saml.publishing import OwnMetadata, publication, settings_for, signing_keys
from broker.selection.labels import explanation_text, option_label
from broker.storage.audit import AuditTrail
from broker.storage.state import StateStore
from broker.web import errors as web_errors
from broker.web import i18n
from broker.web.auth import init_login
from broker.web.cookie_session import CookieSessions
from mandates_store import Store

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action *; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def create_app(config: dict | None = None) -> Flask:
    values = resolve(config)
    app = Flask(__name__)
    app.session_interface = CookieSessions()
    app.config.update(values)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="None" if values["SESSION_COOKIE_SECURE"] else "Lax",
        PERMANENT_SESSION_LIFETIME=values["SESSION_LIFETIME"],
        WTF_CSRF_TIME_LIMIT=values["IDLE_TIMEOUT"],
        WTF_CSRF_SSL_STRICT=False,  # the SAML endpoints are reached cross-site by design
    )
    for name in ("STATE_DB", "STORE_DB"):
        os.makedirs(os.path.dirname(os.path.abspath(values[name])), exist_ok=True)

    signing_key, extra_signing_certs = signing_keys(values)
    settings = settings_for(values, signing_key)
    store = Store(values["STORE_DB"])
    state = StateStore(values["STATE_DB"])
    metadata = MetadataRegistry(
        values["METADATA_DIR"],
        values["METADATA_SOURCES"],
        values["METADATA_CACHE_DIR"],
        float(values["METADATA_FETCH_TIMEOUT"]),
    )
    policies = PolicyRegistry(values["POLICY_DIR"], known_mandate_types=lambda: {t.code for t in store.mandate_types()})
    encryption_cert = open(values["DECRYPTION_CERT"], "rb").read() if values["DECRYPTION_CERT"] else None
    audit = AuditTrail(values["STATE_DB"], connection=lambda: state.conn)  # one file, one transaction

    app.extensions.update(
        state=state,
        store=store,
        metadata=metadata,
        policies=policies,
        saml_settings=settings,
        own_metadata=OwnMetadata(settings, publication(values, extra_signing_certs), encryption_cert),
        login_flow=LoginFlow(
            settings,
            metadata,
            policies,
            store,
            state,
            values["PAIRWISE_SECRET"].encode("utf-8"),
            int(values["SESSION_LIFETIME"]),
            audit=audit,
        ),
        logout_flow=LogoutFlow(settings, metadata, policies, state),
        audit=audit,
    )

    from broker.ops.logs import init_request_ids
    from broker.web.health import health
    from broker.web.views import chooser, saml

    csrf = CSRFProtect(app)
    csrf.exempt(saml)  # SAML messages arrive cross-site and carry their own signatures
    app.register_blueprint(saml)
    app.register_blueprint(chooser)
    app.register_blueprint(health)
    init_request_ids(app)
    init_login(app)
    web_errors.install(app)

    app.jinja_env.globals.update(
        _=i18n.gettext,
        option_label=option_label,
        explanation_text=explanation_text,
        language_names=i18n.LANGUAGE_NAMES,
    )

    @app.context_processor
    def language():
        return {"lang": i18n.current_language()}

    security_headers = dict(SECURITY_HEADERS)
    if values["BASE_URL"].startswith("https://"):
        security_headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    @app.after_request
    def headers(response):
        present = {name.lower() for name in response.headers.keys()}  # a view may have set its own
        response.headers.extend(
            (name, value) for name, value in security_headers.items() if name.lower() not in present
        )
        return response

    return app
