"""Structured logs (docs/operations.md, "Logs"): one JSON object per line (python-json-logger) with the time, level,
logger, message, the request id and, for lines about a request, its method, path and status.

Personal contact data never reaches a log: `ContactRedactionFilter` replaces telephone numbers and e-mail addresses
in the message and its arguments (a record's args are formatted into the message first) with a mark. It is attached
to the handlers, so it applies to every logger's lines, third-party libraries' included.
"""

from __future__ import annotations

import logging
import re

from pythonjsonlogger.json import JsonFormatter

from techmarket.common import request_id

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Mainland mobile numbers (with or without +86), landlines with an area code (0971-8123456, (0971)8123456), and
# any other run of 7 or more digits with separators that reads as a telephone number.
PHONE = re.compile(r"(?<![\w.])(?:\+?86[ -]?)?(?:1[3-9]\d{9}|\(?0\d{2,3}\)?[ -]?\d{7,8}(?:-\d{1,5})?)(?![\w])")
EMAIL_MARK, PHONE_MARK = "[email]", "[phone]"


def redact(text: str) -> str:
    return PHONE.sub(PHONE_MARK, EMAIL.sub(EMAIL_MARK, text))


class ContactRedactionFilter(logging.Filter):
    """Removes e-mail addresses and telephone numbers from the line (message, arguments, exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters print exc_text when exc_info is gone: the redacted traceback, never the original.
            record.exc_text, record.exc_info = redact(record.exc_text), None
        for name in ("username", "email", "phone"):
            if isinstance(getattr(record, name, None), str):
                setattr(record, name, redact(getattr(record, name)))
        return True


class RequestIdFilter(logging.Filter):
    """Adds the current request id (or the job's) to the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.method, record.path = getattr(request, "method", ""), redact(request.path)
            record.request = None  # not serialisable; its method and path are kept
        return True


class Formatter(JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", False)
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        log_record.pop("server_time", None)
        if getattr(record, "status_code", None) is not None:
            log_record["status"] = record.status_code
        log_record.pop("status_code", None)
        log_record.pop("request", None)
        if not log_record.get("request_id"):
            log_record.pop("request_id", None)


def logging_config(level: str = "INFO", fmt: str = "json") -> dict:
    """settings.LOGGING: every line through one console handler, JSON (or plain text with LOG_FORMAT=text)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "techmarket.ops.logs.RequestIdFilter"},
                    "no_contacts": {"()": "techmarket.ops.logs.ContactRedactionFilter"}},
        "formatters": {"json": {"()": "techmarket.ops.logs.Formatter"},
                       "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if fmt == "json" else "text",
                                 "filters": ["request_id", "no_contacts"]}},
        "root": {"handlers": ["console"], "level": level},
        # django-axes logs four lines for every log-in at INFO; lock-outs are warnings.
        "loggers": {"axes": {"level": "WARNING"}},
    }
