"""What a finished scaffold run says: the result (repository, catalog entry, docs, next steps)
and failures, in the modal and in the message the user gets; and the admin's list of runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from integrations.scaffolder import ScaffoldResult, ScaffoldRun
from integrations.techdocs import DocsLinks
from slackkit import blocks as bk
from slackkit.blocks import Block

__all__ = ["failure_message", "result_blocks", "result_message", "run_line"]

_STATUS = {"succeeded": ":white_check_mark:", "failed": ":x:", "running": ":hourglass:"}


def result_blocks(result: ScaffoldResult, *, command: str, docs: DocsLinks) -> list[Block]:
    """The new repository and catalog entry, where the docs are, and what to do next."""
    name, repo = result.name, result.repository
    lines = [
        f"*Repository:* {bk.link(repo.web_url)}",
        f"*Clone:* {bk.code(repo.clone_url)}",
        f"*Catalog:* {bk.code(result.entity_ref.short)} · "
        f"{bk.code(f'{command} owner {name}')} shows it",
    ]
    if result.has_docs:
        url = docs.site_url(result.entity_ref)
        shown = bk.link(url) if url.startswith(("https://", "http://")) else bk.code(url)
        lines.append(f"*Docs:* {shown} (after the next docs build)")
    blocks: list[Block] = [
        bk.section(f":tada: *{bk.escape(name)} is ready* ({result.seconds:.1f} s)"),
        bk.section("\n".join(lines), block_id="links"),
    ]
    if result.next_steps:
        steps = "\n".join(f"• {bk.escape(s)}" for s in result.next_steps[:10])
        blocks.append(bk.section(f"*Next steps*\n{steps}", block_id="next"))
    for warning in result.warnings[:5]:
        blocks.append(bk.context(f":warning: {bk.escape(warning)}"))
    return blocks


def result_message(result: ScaffoldResult, *, command: str, docs: DocsLinks) -> dict[str, Any]:
    """The message the user gets when a run succeeded."""
    return {
        "text": bk.escape(f"Created {result.name}: {result.repository.web_url}"),
        "blocks": result_blocks(result, command=command, docs=docs),
    }


def failure_message(
    name: str, reason: str, *, errors: Sequence[str] = (), nothing_made: bool = True
) -> dict[str, Any]:
    """The message the user gets when a run failed."""
    lines = [f":x: *I could not create {bk.escape(name)}.* {bk.escape(reason)}"]
    lines += [f"• {bk.escape(e)}" for e in errors]
    blocks: list[Block] = [bk.section("\n".join(lines))]
    if nothing_made:
        blocks.append(bk.context("Nothing was created: no repository, no catalog entry."))
    return {"text": bk.escape(f"Could not create {name}: {reason}"), "blocks": blocks}


def run_line(run: ScaffoldRun) -> str:
    """One run for ``admin scaffolds``: when, who, template, name, status, duration, outcome."""
    mark = _STATUS.get(run.status, ":grey_question:")
    took = f" in {run.seconds:.1f} s" if run.seconds is not None else f" (at {run.step})"
    when = run.started_at.strftime("%Y-%m-%d %H:%M")
    head = (
        f"{mark} {bk.code(run.name)} from {bk.code(run.template)} by "
        f"{bk.escape(run.requested_by_email)} · {when} · {run.status}{took}"
    )
    if run.status == "failed" and run.error:
        return f"{head}\n    {bk.escape(bk.truncate(run.error, 300))}"
    if run.repository_url:
        entity = f" · {bk.code(run.entity_ref)}" if run.entity_ref else ""
        return f"{head}\n    {bk.link(run.repository_url)}{entity}"
    return head
