"""Structured (JSON) log lines for `selfservice serve` (webserve.logs, as the broker's), each with
the request's id (X-Request-ID, echoed in the answer). No personal data: no national numbers, names,
e-mail addresses or CSV lines."""

import logging

from webserve import logs

BULK_IMPORT_KEYS = ("operation", "lines_ok", "lines_failed", "status")  # the bulk imports' extra={...}

init_request_ids = logs.init_request_ids


def configure(level: int = logging.INFO) -> None:
    logs.configure(logs.JsonFormatter(record_keys=BULK_IMPORT_KEYS), level)
