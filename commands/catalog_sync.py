"""``admin sync [SOURCE ...]``: sync the catalog now, on a worker, and say what changed.

The request is a queued ``catalog.sync`` run (jobs/): whichever worker sees it first runs it,
so the web process never does the sync itself. The answer waits for the run (the response_url
stays valid for 30 minutes) and reports its outcome; with no live worker the user is told.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import App

from bot import blocks as bk
from bot.deps import Deps
from bot.grammar import UsageError
from bot.metrics import CatalogHoldsCollector
from bot.replies import Reply
from bot.router import Ask
from commands import catalog_holds
from jobs import CATALOG_SYNC, check_health, request_run, wait_for_run

__all__ = ["register"]

WAIT_SECONDS = 600.0


def register(app: App, deps: Deps) -> None:
    """Add the ``sync`` and ``allow-removals`` admin actions, and the held sources' metrics."""
    catalog_holds.register(app, deps)
    deps.metrics.watch(CatalogHoldsCollector(deps.engine))

    def answer_sync(ask: Ask) -> Reply:
        configured = [s.name for s in deps.settings.catalog.sources]
        wanted = ask.words
        unknown = sorted(set(wanted) - set(configured))
        if unknown:
            known = ", ".join(configured) or "none"
            raise UsageError(f"No catalog source named {', '.join(unknown)}. Sources: {known}.")
        health = check_health(deps.engine, stale_after=deps.settings.worker.stale_after_seconds)
        params = {"sources": list(wanted)} if wanted else {}
        run_id = request_run(
            deps.engine, CATALOG_SYNC, params, requested_by=f"slack:{ask.caller.user_id}"
        )
        if not health.ok:
            return Reply.simple(
                f"Sync queued as run #{run_id}, but {health.reason}. "
                "It runs as soon as a worker starts (`greenroom worker`)."
            )
        record = wait_for_run(deps.engine, run_id, timeout=WAIT_SECONDS)
        reply = _outcome(run_id, record.status, record.error, record.result)
        waiting = catalog_holds.open_hold_notices(deps)
        if not waiting:
            return reply
        return replace(reply, blocks=(*reply.blocks, *catalog_holds.hold_blocks(waiting)))

    deps.admin.add(
        "sync",
        answer_sync,
        summary="Sync the catalog now (all sources, or the ones named)",
        usage="admin sync [source ...]",
    )


def _outcome(run_id: int, status: str, error: str | None, result: Any) -> Reply:
    if status == "succeeded" and isinstance(result, dict):
        counts = (
            f"{result.get('added', 0)} added, {result.get('updated', 0)} updated, "
            f"{result.get('removed', 0)} removed, {result.get('errors', 0)} errors"
        )
        lines = [f"Sync run #{run_id} finished: {counts}."]
        if result.get("unavailable"):
            names = ", ".join(bk.escape(str(n)) for n in result["unavailable"])
            lines.append(f"Could not be read (kept as they were): {names}")
        if result.get("held"):
            names = ", ".join(bk.escape(str(h.get("source"))) for h in result["held"])
            lines.append(f"Held for an admin (nothing of them changed): {names}")
        lines.append("`greenroom sync --json` on the server shows every problem with file:line.")
        return Reply(lines[0], tuple(bk.section(line) for line in lines), shareable=False)
    if status in {"queued", "running", "retrying"}:
        return Reply.simple(f"Sync run #{run_id} is still {status}; it carries on in the worker.")
    reason = error or status
    return Reply.simple(f"Sync run #{run_id} {status}: {reason}")
