"""`create_app(config)`: the self-service application "Mandatenbeheer", a SAML SP of the broker."""

from datetime import date

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from mandates_store import Store
from mandates_store.status import STATUS_NL
from mandates_store.validity import last_valid_day
from selfservice import i18n, saml_client
from selfservice import settings as settings_module
from selfservice.access import RightEnded, current_login

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
STATUS_EN = {
    "awaiting_signature": "Awaiting signature",
    "future_start": "Start date in the future",
    "active": "Active",
    "stopped": "Stopped",
    "expired": "Expired",
}


def day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def last_day(value: date | None) -> str:
    """An exclusive end date as people read it: the last valid day."""
    return day(last_valid_day(value)) if value else ""


def create_app(config: settings_module.Settings | dict) -> Flask:
    settings = config if isinstance(config, settings_module.Settings) else settings_module.from_dict(config)
    app = Flask("selfservice")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME=settings.session_cookie_name,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    app.extensions["selfservice_settings"] = settings
    app.extensions["selfservice_store"] = Store(settings.store_db)
    app.extensions["saml_client"] = saml_client.client(settings)
    csrf = CSRFProtect(app)
    from selfservice import logs, metrics  # metrics: only now, after serve chose the metrics folder

    logs.init_request_ids(app)
    metrics.init_app(app)

    from selfservice.views import pages
    from selfservice.views_actions import actions
    from selfservice.views_bulk import grouped
    from selfservice.views_create import create
    from selfservice.views_saml import saml
    from selfservice.views_search import searching

    # the broker's answer is a cross-site POST by design; its XML signature is what protects it
    csrf.exempt("selfservice.views_saml.acs")
    app.register_blueprint(saml)
    app.register_blueprint(pages)
    app.register_blueprint(create)
    app.register_blueprint(actions)
    app.register_blueprint(searching)
    app.register_blueprint(grouped)
    from selfservice.views_users import register as register_user_management

    register_user_management(app)  # Gebruikersbeheer, the second area

    @app.context_processor
    def template_values():
        return {
            "_": i18n.gettext,
            "lang": i18n.current_language(),
            "languages": i18n.LANGUAGE_NAMES,
            "login": current_login(),
            "day": day,
            "last_day": last_day,
            "status_text": lambda code: i18n.gettext(STATUS_EN[code]),
            "url_map_endpoints": app.view_functions,
        }

    @app.after_request
    def headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(RightEnded)
    def right_ended(_error):
        return render_template(
            "error.html",
            title=i18n.gettext("No access"),
            message=i18n.gettext("You may no longer manage the mandates of this party. Log out and log in again."),
        ), 403

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_template(
            "error.html",
            title=i18n.gettext("Form expired"),
            message=i18n.gettext("The form was not sent from this page or has expired. Open the page again."),
        ), 400

    @app.errorhandler(404)
    def not_found(_error):
        return render_template(
            "error.html", title=i18n.gettext("Not found"), message=i18n.gettext("This page does not exist.")
        ), 404

    app.jinja_env.globals["STATUS_NL"] = STATUS_NL
    return app
