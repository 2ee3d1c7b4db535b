"""The application factory."""

import os

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from broker.login_flow import LoginFlow
from broker.logout_flow import LogoutFlow
from broker.policy.registry import PolicyRegistry
from broker.saml.metadata import MetadataRegistry
from broker.saml.publishing import own_metadata
from broker.selection.labels import explanation_text, option_label
from broker.settings import Settings
from broker.storage.audit import AuditTrail
from broker.storage.database import engine_of
from broker.storage.state import StateStore
from broker.web import errors as web_errors
from broker.web import forms, i18n
from broker.web.auth import init_login
from broker.web.chooser_pages import ChooserPages
from broker.web.cookie_session import CookieSessions
from broker.web.post_page import PostPages
from mandates_store import Store

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action *; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def create_app(config: Settings | dict | None = None) -> Flask:
    """config: a loaded Settings (`broker serve`), or a dict of upper-case keys."""
    settings = config if isinstance(config, Settings) else Settings.from_mapping(config)
    app = Flask(__name__)
    app.request_class = forms.Request
    app.session_interface = CookieSessions()
    app.config.update(settings.flask_config())
    # the broker's own state file and its folder are created here; the store is `broker store init`'s
    if engine_of(settings.state_db) == "sqlite":
        os.makedirs(os.path.dirname(settings.state_db), exist_ok=True)

    store = Store(settings.store_db)
    state = StateStore(settings.state_db)
    metadata = MetadataRegistry(
        settings.metadata_dir,
        settings.metadata_sources,
        settings.metadata_cache_dir,
        float(settings.metadata_fetch_timeout),
    )
    policies = PolicyRegistry(settings.policy_dir, known_mandate_types=lambda: {t.code for t in store.mandate_types()})
    published = own_metadata(settings, policies, metadata)
    saml_settings = published.settings
    audit = AuditTrail(settings.state_db, connection=lambda: state.conn)  # one database, one transaction

    app.extensions.update(
        settings=settings,
        state=state,
        store=store,
        metadata=metadata,
        policies=policies,
        saml_settings=saml_settings,
        own_metadata=published,
        login_flow=LoginFlow(
            saml_settings,
            metadata,
            policies,
            store,
            state,
            settings.pairwise_secret.encode("utf-8"),
            int(settings.session_lifetime),
            audit=audit,
        ),
        logout_flow=LogoutFlow(saml_settings, metadata, policies, state),
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
    security_headers = dict(SECURITY_HEADERS)
    if settings.base_url.startswith("https://"):
        security_headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    init_request_ids(app, security_headers)
    init_login(app)
    web_errors.install(app)

    app.extensions["post_pages"] = PostPages(app.jinja_env)
    app.extensions["chooser_pages"] = ChooserPages(app.jinja_env)
    app.jinja_env.globals.update(
        _=i18n.gettext,
        option_label=option_label,
        explanation_text=explanation_text,
        language_names=i18n.LANGUAGE_NAMES,
    )

    @app.context_processor
    def language():
        lang = i18n.current_language()
        return {"lang": lang, "_": i18n.translator(lang)}  # macros imported without context use the global

    return app
