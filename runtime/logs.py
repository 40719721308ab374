"""Logging for every long-running greenroom process (web, answering processes, worker, jobs),
set up here and nowhere else.

``log_format: text`` (the default, for a terminal) writes one readable line per record;
``log_format: json`` writes one JSON object per line for a log pipeline, via
python-json-logger's formatter: the message, level, logger, time, process and whatever a
record carries in ``extra`` (the request log's ids, command, latency and outcome). Either
way, every secret the settings hold, and anything shaped like a Slack token or a Slack
``response_url``, is replaced by ``[redacted]`` before a record is written.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, SecretStr
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from runtime.settings import Settings

__all__ = ["configure_logging", "log_as", "secrets_of"]

_TEXT = "%(asctime)s %(levelname)s [%(component)s %(process)d] %(name)s: %(message)s"
_JSON_FIELDS = ["levelname", "name", "message", "process"]
_RENAMED = {"levelname": "level", "name": "logger"}
_SHAPES = re.compile(
    r"xox[abeoprs]-[A-Za-z0-9-]+"  # Slack bot, user and config tokens
    r"|xapp-[A-Za-z0-9-]+"  # app-level tokens (Socket Mode)
    r"|https://hooks\.slack\.com/\S+"  # response_url and incoming webhooks carry a secret
)
_REDACTED = "[redacted]"


def log_as(component: str, settings: Settings, *, level: int | str | None = None) -> None:
    """Configure logging for this process from ``settings`` (``level`` overrides theirs)."""
    configure_logging(
        log_format=settings.log_format,
        level=level if level is not None else settings.log_level,
        component=component,
        secrets=secrets_of(settings),
    )


def configure_logging(
    *,
    log_format: str,
    level: int | str = logging.INFO,
    component: str,
    secrets: Iterable[str] = (),
) -> None:
    """Send every record to stderr in ``log_format``, at ``level`` and above, labelled with
    ``component`` (web, answers, worker, job ...), with ``secrets`` redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Redactor(secrets))
    handler.addFilter(_Component(component))
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                _JSON_FIELDS,
                rename_fields=_RENAMED,
                timestamp="time",
                static_fields={"component": component},
                reserved_attrs=[*RESERVED_ATTRS, "component", "taskName", "color_message"],
            )
        )
    else:
        handler.setFormatter(logging.Formatter(_TEXT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.captureWarnings(True)


def secrets_of(settings: BaseModel) -> list[str]:
    """Every secret value in a settings tree (tokens, signing secrets), to keep out of logs."""
    found: list[str] = []
    _collect(settings, found)
    return [value for value in found if len(value) >= 6]


def _collect(value: object, found: list[str]) -> None:
    if isinstance(value, SecretStr):
        found.append(value.get_secret_value())
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _collect(getattr(value, name), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)


class _Redactor(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        known = sorted({s for s in secrets if s}, key=len, reverse=True)
        parts = [re.escape(s) for s in known] + [_SHAPES.pattern]
        self._pattern = re.compile("|".join(parts))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self._pattern.sub(_REDACTED, message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info:  # formatted once here, so no formatter sees it unredacted
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self._pattern.sub(_REDACTED, record.exc_text)
        return True


class _Component(logging.Filter):
    def __init__(self, component: str) -> None:
        super().__init__()
        self.component = component

    def filter(self, record: logging.LogRecord) -> bool:
        record.component = self.component
        return True
