"""Opening and updating modals within Slack's rules.

- A ``trigger_id`` lasts 3 seconds and works once, so a subcommand that opens a modal
  (``router.add(..., modal="Title")``) gets a *loading* modal opened on its trigger right
  after the ack, before the caller is resolved or anything slow runs; its handler then fills
  it with ``views.update`` (``ask.modal`` holds the view id, or Slack's error such as
  ``expired_trigger_id``).
- ``views.update`` with a ``hash`` fails with ``hash_conflict`` when the view changed since
  that hash was read; :func:`update_view` returns the error instead of raising, so each caller
  decides (a stale click is dropped, a run's progress is shown anyway).
- Slack's errors come back as :class:`ModalView` with ``error`` set (never raised): a modal
  that cannot be shown must not stop the work behind it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from catalog import GreenroomError
from slackkit import blocks as bk
from slackkit.grammar import clean_text
from slackkit.router import SubcommandRouter

__all__ = [
    "MODAL_TITLE_LIMIT",
    "ModalView",
    "loading_view",
    "modal",
    "open_for_command",
    "open_view",
    "update_view",
]

log = logging.getLogger(__name__)

MODAL_TITLE_LIMIT = 24
_METADATA_LIMIT = 3000


@dataclass(frozen=True)
class ModalView:
    """A modal Slack showed (its id and hash), or the error code Slack answered."""

    view_id: str | None = None
    hash: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.view_id is not None and self.error is None


def modal(
    title: str,
    blocks: list[bk.Block],
    *,
    callback_id: str,
    submit: str | None = None,
    close: str = "Close",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A modal view; titles and button texts are cut to Slack's 24 characters."""
    if len(private_metadata) > _METADATA_LIMIT:
        raise ValueError(f"private_metadata of {len(private_metadata)} characters exceeds 3000")
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": bk.plain(title, MODAL_TITLE_LIMIT),
        "close": bk.plain(close, MODAL_TITLE_LIMIT),
        "blocks": blocks[: bk.MAX_VIEW_BLOCKS],
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = bk.plain(submit, MODAL_TITLE_LIMIT)
    return view


def loading_view(title: str, text: str = "Loading…") -> dict[str, Any]:
    """The modal shown while the real one is being prepared."""
    return modal(
        title, [bk.section(f":hourglass_flowing_sand: {bk.escape(text)}")], callback_id="loading"
    )


def open_view(client: WebClient, trigger_id: str | None, view: dict[str, Any]) -> ModalView:
    """``views.open`` on ``trigger_id``."""
    if not trigger_id:
        return ModalView(error="no_trigger_id")
    return _call("views.open", lambda: client.views_open(trigger_id=trigger_id, view=view))


def update_view(
    client: WebClient, view_id: str, view: dict[str, Any], *, hash: str | None = None
) -> ModalView:
    """``views.update`` of an open modal; with ``hash``, only if it did not change since."""
    kwargs: dict[str, Any] = {"view_id": view_id, "view": view}
    if hash:
        kwargs["hash"] = hash
    return _call("views.update", lambda: client.views_update(**kwargs))


def open_for_command(
    router: SubcommandRouter, client: WebClient, body: dict[str, Any]
) -> ModalView | None:
    """For a slash command whose subcommand opens a modal: a loading modal, opened now."""
    try:
        name = clean_text(str(body.get("text") or "")).partition(" ")[0]
    except GreenroomError:
        return None
    sub = router.get(name) if name else None
    if sub is None or sub.modal is None:
        return None
    return open_view(client, body.get("trigger_id"), loading_view(sub.modal))


def _call(method: str, send: Any) -> ModalView:
    try:
        response = send()
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        log.info("%s failed: %s", method, code)
        return ModalView(error=code)
    except (SlackClientError, OSError) as error:
        log.warning("%s failed: %s", method, type(error).__name__)
        return ModalView(error="no_answer")
    view = response.get("view") or {}
    return ModalView(view.get("id"), view.get("hash"))
