"""Day-2 actions (restart, scale, roll back, pause/resume, re-run, run a workflow), authorised
by catalog ownership at the moment of the click, one at a time per workload, and recorded
(see docs/actions.md). ``ActionService`` is the entry point; no Slack in here.

Importing the ``kubernetes`` client takes about a second, so this package loads its modules
on first use: reading settings (``integrations.actions.config``) stays instant."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from integrations.actions.approvals import ActionRequest
    from integrations.actions.audit import AuditRecord, read_audit
    from integrations.actions.config import ActionsSettings, ActionSwitch
    from integrations.actions.errors import (
        ActionBusy,
        ActionFailed,
        ActionRefused,
        AuditWriteFailed,
    )
    from integrations.actions.model import Actor, FormField, Outcome, Plan, SlackIds, Target
    from integrations.actions.permissions import Decision
    from integrations.actions.registry import (
        Action,
        ActionContext,
        all_actions,
        get_action,
        register_action,
    )
    from integrations.actions.service import SYSTEM, ActionService, Approval, Preview

__all__ = [
    "SYSTEM",
    "Action",
    "ActionBusy",
    "ActionContext",
    "ActionFailed",
    "ActionRefused",
    "ActionRequest",
    "ActionService",
    "ActionSwitch",
    "ActionsSettings",
    "Actor",
    "Approval",
    "AuditRecord",
    "AuditWriteFailed",
    "Decision",
    "FormField",
    "Outcome",
    "Plan",
    "Preview",
    "SlackIds",
    "Target",
    "all_actions",
    "get_action",
    "read_audit",
    "register_action",
]

_MODULES = {
    "Action": "registry",
    "ActionBusy": "errors",
    "ActionContext": "registry",
    "ActionFailed": "errors",
    "ActionRefused": "errors",
    "ActionRequest": "approvals",
    "ActionService": "service",
    "ActionSwitch": "config",
    "ActionsSettings": "config",
    "Actor": "model",
    "Approval": "service",
    "AuditRecord": "audit",
    "AuditWriteFailed": "errors",
    "Decision": "permissions",
    "FormField": "model",
    "Outcome": "model",
    "Plan": "model",
    "Preview": "service",
    "SYSTEM": "service",
    "SlackIds": "model",
    "Target": "model",
    "all_actions": "registry",
    "get_action": "registry",
    "read_audit": "audit",
    "register_action": "registry",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
