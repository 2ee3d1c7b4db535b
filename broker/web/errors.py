"""Refusals as pages: a user-safe sentence, never a stack trace, never a 500 for hostile input."""

import logging
import sqlite3

from flask import render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

log = logging.getLogger("broker.http")
GENERIC = "The broker could not process this request."
GUARDED = ("saml", "chooser")


def error_page(reason: str, status: int = 400):
    try:
        return render_template("error.html", reason=reason), status
    except Exception:  # the page itself can fail on hostile input (e.g. a query that is not UTF-8)
        log.exception("error page failed")
        return f'<!doctype html><title>Error</title><p class="reason">{escape(reason)}</p>', status


def unexpected(error):
    if isinstance(error, HTTPException):
        return error
    log.exception("unexpected error on %s", request.path)
    if request.blueprint not in GUARDED:
        return InternalServerError(original_exception=error)
    # input we could not handle is the sender's fault; a broken database or disk is ours
    return error_page(GENERIC, 500 if isinstance(error, (sqlite3.Error, OSError)) else 400)


def too_large(error):
    """A body over MAX_CONTENT_LENGTH, refused before its form was parsed."""
    return error_page("The request is too large.", 413)


def install(app) -> None:
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(Exception, unexpected)
