"""Deciding requests: an owner's Approve (then the action runs for the requester), Deny, and
expiry. Each is decided once (a conditional update), by someone who may act on the entity
now, never by the requester, and recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from catalog import EntityNotFound, NotAuthorized
from integrations.actions import approvals
from integrations.actions.approvals import ActionRequest
from integrations.actions.audit import record
from integrations.actions.errors import ActionFailed, ActionRefused, AuditWriteFailed
from integrations.actions.model import Actor, Outcome, SlackIds

if TYPE_CHECKING:
    from integrations.actions.service import ActionService, Approval

__all__ = ["SYSTEM", "RequestDesk"]

#: Who expires requests.
SYSTEM = Actor("greenroom", name="greenroom")


class RequestDesk:
    """Decisions on the requests of one action service."""

    def __init__(self, service: ActionService) -> None:
        self.service = service

    def approve(
        self,
        approver: Actor,
        request_id: str,
        *,
        slack: SlackIds | None = None,
        started: Callable[[ActionRequest], None] | None = None,
    ) -> Approval:
        """An owner's Approve: decided once, then the action runs for the requester;
        ``started`` hears of the approval before the (maybe long) run."""
        found = self._decide(approver, request_id, "approve", slack)
        if not isinstance(found, ActionRequest):
            return found  # another owner decided first
        if started is not None:
            started(self.service.request(found.id) or found)
        try:
            outcome = self.service.run(
                found.requester,
                found.action,
                found.entity,
                found.target,
                found.params,
                slack=slack,
                request=found,
                approver=approver,
            )
        except (
            ActionRefused,
            ActionFailed,
            NotAuthorized,
            EntityNotFound,
            AuditWriteFailed,
        ) as error:
            outcome = Outcome(False, error.user_message)
        approvals.finish_request(
            self.service.engine, found.id, "done" if outcome.ok else "failed", outcome.message
        )
        return _approval(self.service.request(found.id) or found, outcome)

    def deny(self, approver: Actor, request_id: str, *, slack: SlackIds | None = None) -> Approval:
        """An owner's Deny, decided once."""
        found = self._decide(approver, request_id, "deny", slack)
        if not isinstance(found, ActionRequest):
            return found  # another owner decided first
        return _approval(self.service.request(found.id) or found, None)

    def _decide(
        self, approver: Actor, request_id: str, event: str, slack: SlackIds | None
    ) -> ActionRequest | Approval:
        """Decide the request once and record who did: the request, or the answer for an
        owner who lost the race to another decision."""
        found = self._decidable(approver, request_id, event, slack)
        state = "approved" if event == "approve" else "denied"
        if not approvals.decide_request(
            self.service.engine, found.id, state, approver.slack_user_id, now=datetime.now(UTC)
        ):
            return self._lost_race(found, approver, slack)
        record(
            self.service.engine,
            event=event,
            action=found.action,
            entity=found.entity,
            target=found.target,
            actor=approver,
            outcome="ok",
            message=f"{state} {found.requester.label}'s request: {found.summary}",
            params=found.params,
            request_id=found.id,
            slack=slack,
        )
        return found

    def expire_due(self, now: datetime | None = None) -> list[ActionRequest]:
        """Mark every pending request past its time expired (once), recorded."""
        now = now or datetime.now(UTC)
        expired = []
        for found in approvals.due_requests(self.service.engine, now):
            if approvals.decide_request(
                self.service.engine, found.id, "expired", "greenroom", now=now
            ):
                record(
                    self.service.engine,
                    event="expire",
                    action=found.action,
                    entity=found.entity,
                    target=found.target,
                    actor=SYSTEM,
                    outcome="ok",
                    message=f"{found.requester.label}'s request expired undecided: {found.summary}",
                    request_id=found.id,
                )
                expired.append(self.service.request(found.id) or found)
        return expired

    def _decidable(
        self, approver: Actor, request_id: str, verb: str, slack: SlackIds | None
    ) -> ActionRequest:
        found = self.service.request(request_id)
        if found is None:
            raise ActionRefused("That request no longer exists.")
        same_person = approver.person is not None and approver.person == found.requester.person
        if approver.slack_user_id == found.requester.slack_user_id or same_person:
            self.service.refused(
                found.action,
                found.entity,
                found.target,
                approver,
                f"tried to {verb} their own request",
                slack,
                found.id,
            )
            raise NotAuthorized(
                f"You cannot {verb} your own request; another owner of "
                f"{found.owner.short if found.owner else 'it'} has to."
            )
        decision = self.service.decision(approver, found.entity, found.action)
        if not decision.may_act:
            self.service.refused(
                found.action,
                found.entity,
                found.target,
                approver,
                f"not allowed to {verb}: {decision.reason}",
                slack,
                found.id,
            )
            raise NotAuthorized(f"Only its owners may {verb} this request: {decision.reason}.")
        now = datetime.now(UTC)
        if found.status != "pending":
            raise ActionRefused(f"This request was already {found.status}.")
        if found.expired(now):
            self.expire_due(now)
            raise ActionRefused(
                "This request expired before anyone decided; ask again if it is still needed."
            )
        return found

    def _lost_race(self, found: ActionRequest, approver: Actor, slack: SlackIds | None) -> Approval:
        latest = self.service.request(found.id) or found
        if latest.status == "pending":  # it expired between the check and the update
            self.expire_due()
        raise ActionRefused(
            f"This request was already {(self.service.request(found.id) or latest).status}."
        )


def _approval(request: ActionRequest, outcome: Outcome | None) -> Approval:
    from integrations.actions.service import Approval

    return Approval(request, outcome)
