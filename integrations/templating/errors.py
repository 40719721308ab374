"""The one error of the templating package; the scaffolder turns it into ``TemplateInvalid``
or ``ScaffoldFailed`` (``integrations/errors.py``)."""

from __future__ import annotations

__all__ = ["TemplateError"]


class TemplateError(Exception):
    """A template is broken or refused, or rendering it failed; the message says why."""
