"""Day-2 actions (restart, scale, roll back, pause/resume, re-run, run a workflow), authorised
by catalog ownership at the moment of the click, one at a time per workload, and recorded
(see docs/actions.md). ``ActionService`` is the entry point; no Slack in here.

Importing the ``kubernetes`` client takes about a second, so this package loads its modules
on first use: reading settings (``integrations.actions.config``) stays instant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.lazy import lazy_exports

if TYPE_CHECKING:
    from integrations.actions.approvals import (
        ActionRequest as ActionRequest,
    )
    from integrations.actions.audit import (
        AuditRecord as AuditRecord,
        read_audit as read_audit,
    )
    from integrations.actions.config import (
        ActionsSettings as ActionsSettings,
        ActionSwitch as ActionSwitch,
    )
    from integrations.actions.errors import (
        ActionBusy as ActionBusy,
        ActionFailed as ActionFailed,
        ActionRefused as ActionRefused,
        AuditWriteFailed as AuditWriteFailed,
    )
    from integrations.actions.model import (
        Actor as Actor,
        FormField as FormField,
        Outcome as Outcome,
        Plan as Plan,
        SlackIds as SlackIds,
        Target as Target,
    )
    from integrations.actions.permissions import (
        Decision as Decision,
    )
    from integrations.actions.registry import (
        Action as Action,
        ActionContext as ActionContext,
        all_actions as all_actions,
        get_action as get_action,
        register_action as register_action,
    )
    from integrations.actions.service import (
        SYSTEM as SYSTEM,
        ActionService as ActionService,
        Approval as Approval,
        Preview as Preview,
    )

__all__, __getattr__ = lazy_exports(__name__, __file__)
