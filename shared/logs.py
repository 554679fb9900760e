"""JSON log lines, one per request and per event handled, carrying the correlation id."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
# gunicorn's master never builds an app: it learns its service from the environment.
_service_name = os.environ.get("SKILLPASS_SERVICE", "skillpass")

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def set_correlation_id(correlation_id: str) -> contextvars.Token:
    return _correlation_id.set(correlation_id)


def reset_correlation_id(token: contextvars.Token) -> None:
    _correlation_id.reset(token)


@contextmanager
def correlation(correlation_id: str | None):
    """Run a block (a request, an event handler) under a correlation id, new if none is given."""
    token = _correlation_id.set(correlation_id or str(uuid.uuid4()))
    try:
        yield _correlation_id.get()
    finally:
        _correlation_id.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": _service_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlation_id = _correlation_id.get()
        if correlation_id:
            line["correlation_id"] = correlation_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    global _service_name
    _service_name = service
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("amqp", "kombu", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
