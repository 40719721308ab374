"""Catalog removals waiting for an admin, in Slack: the notice (numbers, examples, when) and
its button; ``admin removals`` lists them and ``admin removals allow SOURCE [HOLD]`` (what the
button runs) confirms one.

The button carries the subcommand text (``admin removals allow backstage 17``) like every
greenroom button, so the click runs it again as the person who clicked: ``admin`` checks that
they are an admin at that moment. The hold id binds the confirmation to the numbers shown; a
notice a newer sync replaced is refused with the current numbers and a fresh button.
"""

from __future__ import annotations

from slack_bolt import App

from bot import blocks as bk
from bot.blocks import Block
from bot.deps import Deps
from bot.grammar import UsageError
from bot.replies import RUN_ACTION, Reply, ReplyState
from bot.router import Ask
from catalog.holds import HoldChanged, HoldNotice, NothingHeld, confirm_hold, list_open_holds
from jobs import CATALOG_SYNC, check_health, request_run, wait_for_run

__all__ = ["hold_blocks", "open_hold_notices", "register"]

WAIT_SECONDS = 600.0


_USAGE = "admin removals [allow <source>]"


def register(app: App, deps: Deps) -> None:
    """Add the ``removals`` admin action."""

    def answer_removals(ask: Ask) -> Reply:
        words = ask.words
        if not words:
            return _listing(deps)
        verb, rest = words[0], words[1:]
        numbered = len(rest) == 2 and rest[1].isdigit()
        if verb != "allow" or not (len(rest) == 1 or numbered):
            raise UsageError(f"Usage: {_USAGE}")
        source, hold_id = rest[0], int(rest[1]) if len(rest) == 2 else None
        try:
            by = f"slack:{ask.caller.user_id}"
            hold = confirm_hold(deps.engine, source, by=by, hold_id=hold_id)
        except HoldChanged as changed:
            notice = HoldNotice.of(changed.current)
            blocks = [bk.section(bk.escape(changed.user_message)), *hold_blocks([notice])]
            return Reply(changed.user_message, tuple(blocks), shareable=False)
        except NothingHeld as nothing:
            return Reply.simple(f"{nothing.user_message} {_others(deps)}".strip())
        return _apply(deps, HoldNotice.of(hold), ask.caller.user_id)

    deps.admin.add(
        "removals",
        answer_removals,
        summary="Removals waiting for an admin (held or removed catalog sources); allow one",
        usage=_USAGE,
    )


def _listing(deps: Deps) -> Reply:
    waiting = open_hold_notices(deps)
    if not waiting:
        return Reply.simple("Nothing is waiting for an admin: no catalog source is held.")
    text = f"{len(waiting)} catalog sources wait for an admin"
    return Reply(text, (bk.header("Waiting for an admin"), *hold_blocks(waiting)), shareable=False)


def open_hold_notices(deps: Deps) -> list[HoldNotice]:
    """Every hold waiting for an admin."""
    with deps.engine.connect() as conn:
        return [HoldNotice.of(h) for h in list_open_holds(conn)]


def hold_blocks(notices: list[HoldNotice]) -> list[Block]:
    """A section per hold and its confirmation button."""
    blocks: list[Block] = []
    for i, notice in enumerate(notices[:10]):
        blocks.append(bk.section(_describe(notice)))
        if notice.confirmed_by:
            who = bk.escape(notice.confirmed_by)
            blocks.append(bk.context(f"Confirmed by {who}; the next sync of it removes them."))
            continue
        value = ReplyState(f"admin removals allow {notice.source} {notice.hold_id}").encode()
        if value:
            button = _button(notice, value, i)
            blocks.append(bk.actions([button], block_id=f"hold.{notice.hold_id}"))
    return blocks


def _describe(notice: HoldNotice) -> str:
    source = bk.escape(notice.source)
    if notice.reason == "source_removed":
        due = bk.escape(notice.due or "an admin confirms")
        return (
            f":warning: *{source}* is no longer in greenroom.yaml. Its *{notice.stored} "
            f"entities* stay in the catalog, orphaned, until {due}; putting the source back "
            "keeps them."
        )
    examples = ", ".join(bk.code(ref) for ref in notice.examples[:5])
    more = ", …" if notice.removing > 5 else ""
    return (
        f":warning: *{source}* is held: its last sync would remove *{notice.removing} of its "
        f"{notice.stored} entities* ({notice.share:.0%}), e.g. {examples}{more}. Nothing of it "
        f"changes (no additions or updates either) until an admin allows the removals or the "
        f"source recovers. Held since {bk.escape(notice.since)}."
    )


def _button(notice: HoldNotice, value: str, index: int) -> Block:
    label = (
        f"Remove its {notice.stored} entities now"
        if notice.reason == "source_removed"
        else f"Allow these {notice.removing} removals"
    )
    button = bk.button(label, f"{RUN_ACTION}:{index}", value, style="danger")
    button["confirm"] = {
        "title": bk.plain("Remove from the catalog?"),
        "text": bk.plain(
            f"{notice.removing} entities of {notice.source} leave the catalog at its next sync "
            "(started now). They come back only when a source emits them again."
        ),
        "confirm": bk.plain("Remove"),
        "deny": bk.plain("Cancel"),
        "style": "danger",
    }
    return button


def _apply(deps: Deps, notice: HoldNotice, user_id: str) -> Reply:
    params = {"sources": [] if notice.reason == "source_removed" else [notice.source]}
    run_id = request_run(deps.engine, CATALOG_SYNC, params, requested_by=f"slack:{user_id}")
    confirmed = (
        f"Confirmed: the {notice.removing} removals of {notice.source} "
        f"(sync run #{run_id} applies them)"
    )
    health = check_health(deps.engine, stale_after=deps.settings.worker.stale_after_seconds)
    if not health.ok:
        return Reply.simple(f"{confirmed}, but {health.reason}; it runs when a worker starts.")
    record = wait_for_run(deps.engine, run_id, timeout=WAIT_SECONDS)
    if record.status in {"queued", "running", "retrying"}:
        return Reply.simple(f"{confirmed}; the run is still {record.status} in the worker.")
    if record.status != "succeeded":
        return Reply.simple(f"{confirmed}. The run {record.status}: {record.error or '?'}")
    still = [n for n in open_hold_notices(deps) if n.source == notice.source]
    if still:
        lead = bk.section(bk.escape(f"{confirmed}, but the source is held again:"))
        return Reply(confirmed, (lead, *hold_blocks(still)), shareable=False)
    removed = _removed(notice, record.result)
    return Reply.simple(f"{confirmed}. Done: {removed} entities of {notice.source} removed.")


def _removed(notice: HoldNotice, result: object) -> int:
    if not isinstance(result, dict):
        return 0
    if notice.reason == "removals":
        return int(result.get("removed") or 0)
    for gone in result.get("removed_sources") or []:
        removed = str(gone.get("resolution")).startswith("removed")
        if gone.get("source") == notice.source and removed:
            return int(gone.get("stored") or 0)
    return 0


def _others(deps: Deps) -> str:
    held = sorted({n.source for n in open_hold_notices(deps)})
    if not held:
        return "Nothing is waiting for an admin."
    return f"Waiting for an admin: {', '.join(held)}."
