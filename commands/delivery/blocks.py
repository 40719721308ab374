"""How delivery reads in Slack: ``prs``, ``deploys`` and ``pr`` answers, the team-page section
and link previews. Everything a host or cluster says (titles, logins, branch and image names)
is escaped; an answer given from the last good data says how old it is and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from catalog import EntitySummary, parse_ref
from integrations.delivery import (
    ChecksState,
    Commit,
    DeploysReport,
    EnvironmentDeploy,
    Freshness,
    PullRequest,
    PullRequestJourney,
    PullRequestsReport,
    ReviewState,
    RunningWorkload,
    TeamDelivery,
)
from slackkit import blocks as bk
from slackkit.blocks import Block
from slackkit.catalog_blocks import ref_text
from slackkit.replies import Reply

__all__ = [
    "deploys_reply",
    "entity_preview",
    "journey_reply",
    "pull_request_line",
    "pull_request_preview",
    "pull_requests_reply",
    "team_pull_requests_reply",
    "team_section",
]

_REVIEW = {
    ReviewState.APPROVED: ":white_check_mark: approved",
    ReviewState.CHANGES_REQUESTED: ":leftwards_arrow_with_hook: changes requested",
    ReviewState.REVIEW_REQUIRED: ":eyes: waiting for review",
    ReviewState.DRAFT: ":pencil2: draft",
}
_CHECKS = {
    ChecksState.PASSING: ":large_green_circle: checks passing",
    ChecksState.FAILING: ":red_circle: checks failing",
    ChecksState.PENDING: ":hourglass_flowing_sand: checks running",
    ChecksState.NONE: "no checks",
}
_CHANGES_SHOWN = 5
_TEAM_LINES = 8


def ago(moment: datetime | None, now: datetime) -> str:
    """``5m ago``, ``3h ago``, ``12d ago``."""
    if moment is None:
        return "at an unknown time"
    seconds = max(int((now - moment).total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def freshness_text(freshness: Freshness, now: datetime) -> str:
    """``read 2m ago``; for a last good answer, its age and why the host was not asked."""
    if freshness.problem:
        return (
            f":warning: *Last good data, from {ago(freshness.fetched_at, now)}*: "
            f"{bk.escape(bk.truncate(freshness.problem, 300))}"
        )
    return f"read {ago(freshness.fetched_at, now)}"


def pull_request_line(pull: PullRequest, *, now: datetime, stale_after_days: int) -> str:
    """One pull request: number and title (linked), author, age, review, checks, stale."""
    title = bk.link(pull.url, bk.truncate(f"#{pull.number} {pull.title}", 150))
    parts = [
        f"*{title}*",
        f"by {bk.escape(pull.author)}",
        f"opened {ago(pull.created_at, now)}",
        _REVIEW[pull.review],
        _CHECKS[pull.checks],
    ]
    if pull.is_stale(now, stale_after_days):
        parts.append(f":zzz: *stale*: no activity for {(now - pull.updated_at).days}d")
    return "• " + " · ".join(parts)


def pull_requests_reply(
    report: PullRequestsReport, *, title: str, now: datetime, stale_after_days: int
) -> Reply:
    """``prs <entity>``: the repository's open pull requests, oldest waiting first."""
    repo = report.repository
    pulls = sorted(report.pull_requests, key=lambda p: p.created_at)
    stale = sum(p.is_stale(now, stale_after_days) for p in pulls)
    waiting = sum(p.waiting_for_review for p in pulls)
    facts = [
        bk.link(repo.web_url, repo.slug),
        f"{len(pulls)}{'+' if report.more else ''} open",
        f"{waiting} waiting for review",
    ]
    if stale:
        facts.append(f"{stale} stale (no activity for {stale_after_days}d)")
    head: list[Block] = [
        bk.header(f"Pull requests: {title}"),
        bk.context(" · ".join(facts)),
        bk.context(freshness_text(report.freshness, now)),
    ]
    if not pulls:
        head.append(bk.section(":sparkles: No open pull requests."))
    lines = tuple(pull_request_line(p, now=now, stale_after_days=stale_after_days) for p in pulls)
    return Reply(f"{title}: {len(pulls)} open pull requests", tuple(head), lines)


def team_pull_requests_reply(
    team_title: str,
    reports: Sequence[tuple[EntitySummary, PullRequestsReport | None, str | None]],
    *,
    now: datetime,
    stale_after_days: int,
) -> Reply:
    """``prs <team>``: the open pull requests of each of its services (or why not)."""
    total = sum(len(r.pull_requests) for _, r, _ in reports if r is not None)
    head: list[Block] = [
        bk.header(f"Pull requests: {team_title}"),
        bk.context(f"{total} open across {len(reports)} services"),
    ]
    lines: list[str] = []
    for summary, report, problem in reports:
        name = f"*{bk.escape(summary.display_name)}* {ref_text(summary.ref)}"
        if report is None:
            lines.append(f"{name}: _{bk.escape(problem or 'unknown')}_")
            continue
        note = f" · {freshness_text(report.freshness, now)}" if report.freshness.problem else ""
        lines.append(f"{name} · {len(report.pull_requests)} open{note}")
        lines.extend(
            pull_request_line(p, now=now, stale_after_days=stale_after_days)
            for p in sorted(report.pull_requests, key=lambda p: p.created_at)
        )
    return Reply(f"{team_title}: {total} open pull requests", tuple(head), tuple(lines))


def deploys_reply(report: DeploysReport, *, title: str, now: datetime) -> Reply:
    """``deploys <entity>``: per environment the last deploy and the change since; then what
    runs in each cluster."""
    repo = report.repository
    facts = [bk.link(repo.web_url, repo.slug)]
    if report.head is not None:
        facts.append(f"{bk.code(repo.default_branch)} at {_commit_link(report.head)}")
    head: list[Block] = [
        bk.header(f"Deploys: {title}"),
        bk.context(" · ".join(facts)),
        bk.context(freshness_text(report.freshness, now)),
        bk.section(_verdict(report)),
    ]
    lines: list[str] = []
    if report.environments:
        lines.append("*Environments*")
        lines.extend(_environment_text(e, report, now) for e in report.environments)
    else:
        lines.append("_No deployments or environments are recorded on the host._")
    lines.append("*Running*")
    if report.running:
        lines.extend(_running_text(w, repo.default_branch) for w in report.running)
    elif report.running_note:
        lines.append(f"_{bk.escape(report.running_note)}_")
    for cluster, reason in report.cluster_problems:
        lines.append(
            f":warning: {bk.code(cluster)} did not answer: {bk.escape(bk.truncate(reason, 300))}"
        )
    return Reply(f"Deploys of {title}: {_plain_verdict(report)}", tuple(head), tuple(lines))


def journey_reply(journey: PullRequestJourney, *, now: datetime, stale_after_days: int) -> Reply:
    """``pr <url>``: in review, merged, deployed to which environments, running where."""
    pull, repo = journey.pull_request, journey.repository
    title = bk.truncate(f"#{pull.number} {pull.title}", 140)
    facts = [bk.link(repo.web_url, repo.slug), f"by {bk.escape(pull.author)}"]
    if journey.entities:
        facts.append(", ".join(ref_text(parse_ref(e)) for e in journey.entities[:5]))
    if journey.owners:
        facts.append("owner " + ", ".join(ref_text(parse_ref(o)) for o in journey.owners))
    head: list[Block] = [
        bk.header(f"PR {title}"),
        bk.context(" · ".join(facts)),
        bk.context(freshness_text(journey.freshness, now)),
    ]
    lines: list[str] = []
    if pull.state == "open":
        head.append(
            bk.section(
                f":mag: *In review* · {bk.link(pull.url, 'open it')}\n"
                + pull_request_line(pull, now=now, stale_after_days=stale_after_days)
            )
        )
        text = f"PR #{pull.number} is in review"
    elif pull.state == "closed":
        head.append(bk.section(":no_entry_sign: *Closed without merging.*"))
        text = f"PR #{pull.number} was closed without merging"
    else:
        merged = f"merged {ago(pull.merged_at, now)}"
        if pull.merge_commit:
            merged += f" as {bk.code(pull.merge_commit[:7])}"
        where = [d.environment for d in journey.deployed if d.contains]
        head.append(
            bk.section(
                f":twisted_rightwards_arrows: *Merged* · {merged}\n"
                + (
                    f":rocket: Deployed to {', '.join(bk.escape(w) for w in where)}"
                    if where
                    else ":hourglass: Not deployed to any environment yet"
                )
            )
        )
        text = f"PR #{pull.number} is merged" + (
            f", deployed to {', '.join(where)}" if where else ""
        )
        lines.extend(_deployed_lines(journey, now))
    return Reply(text, tuple(head), tuple(lines))


def team_section(delivery: TeamDelivery, *, now: datetime, command: str) -> list[Block]:
    """The team page: open pull requests waiting for review, and services behind production."""
    if not delivery.waiting and not delivery.behind:
        return []
    lines: list[str] = []
    for item in delivery.waiting[:_TEAM_LINES]:
        pull = item.pull_request
        stale = " · :zzz: stale" if item.stale else ""
        link = bk.link(pull.url, bk.truncate(f"#{pull.number} {pull.title}", 90))
        lines.append(
            f"• {link} ({bk.escape(parse_ref(item.entity).name)}) "
            f"by {bk.escape(pull.author)}, waiting {ago(pull.created_at, now).removesuffix(' ago')}"
            f"{stale}"
        )
    more = len(delivery.waiting) - _TEAM_LINES
    if more > 0:
        lines.append(f"_and {more} more_")
    for behind in delivery.behind[:_TEAM_LINES]:
        prs = ", ".join(f"#{n}" for n in behind.pull_requests[:6])
        lines.append(
            f":hourglass: *{bk.escape(parse_ref(behind.entity).name)}*: "
            f"{bk.escape(behind.environment)} is {behind.behind_by} commit"
            f"{'s' if behind.behind_by != 1 else ''} behind{(' (' + prs + ')') if prs else ''}"
        )
    when = f" · as of {ago(delivery.oldest, now)}" if delivery.oldest else ""
    blocks: list[Block] = [
        bk.section(
            f"*Delivery* · {len(delivery.waiting)} pull requests waiting for review, "
            f"{len(delivery.behind)} services behind in production"
        )
    ]
    blocks.append(bk.section("\n".join(lines)))
    blocks.append(bk.context(f"`{bk.escape(command)} prs <service>` for details{when}"))
    return blocks


def pull_request_preview(
    pull: PullRequest, *, slug: str, owner: str | None, now: datetime
) -> dict[str, object]:
    """The ``chat.unfurl`` attachment of a pull request URL."""
    title = bk.link(pull.url, bk.truncate(f"#{pull.number} {pull.title}", 150))
    state = {
        "open": f"{_REVIEW[pull.review]} · {_CHECKS[pull.checks]}",
        "merged": f":twisted_rightwards_arrows: merged {ago(pull.merged_at, now)}",
        "closed": ":no_entry_sign: closed",
    }[pull.state]
    facts = [bk.code(slug), f"by {bk.escape(pull.author)}", f"opened {ago(pull.created_at, now)}"]
    if owner:
        facts.append(f"owner {owner}")
    return {"blocks": [bk.section(f"*{title}*\n{state}"), bk.context(" · ".join(facts))]}


def entity_preview(
    summary: EntitySummary, *, owner: str, description: str | None, url: str
) -> dict[str, object]:
    """The ``chat.unfurl`` attachment of a Backstage entity page: the entity's card."""
    lines = [f"*{bk.link(url, bk.truncate(summary.display_name, 150))}* {ref_text(summary.ref)}"]
    if description:
        lines.append(bk.escape(bk.truncate(" ".join(description.split()), 300)))
    return {"blocks": [bk.section("\n".join(lines)), bk.context(f"owner {owner}")]}


# helpers -------------------------------------------------------------------------------------
def _verdict(report: DeploysReport) -> str:
    production = [e for e in report.environments if e.production]
    if not production:
        return ":grey_question: No production environment is recorded on the host."
    env = production[0]
    branch = bk.code(report.repository.default_branch)
    if env.behind_by is None:
        why = bk.escape(env.note or "no deploy")
        return f":grey_question: What {bk.escape(env.name)} runs is not known: {why}."
    if env.behind_by == 0:
        return f":white_check_mark: *{bk.escape(env.name)} runs what {branch} has.*"
    prs = ", ".join(f"#{n}" for n in env.pull_requests[:10])
    commits = f"{env.behind_by} commit{'s' if env.behind_by != 1 else ''}"
    return f":hourglass: *{bk.escape(env.name)} is {commits} behind {branch}*" + (
        f": {prs} not deployed yet" if prs else ""
    )


def _plain_verdict(report: DeploysReport) -> str:
    production = [e for e in report.environments if e.production]
    if not production or production[0].behind_by is None:
        return "production state unknown"
    behind = production[0].behind_by
    return "production is up to date" if behind == 0 else f"production is {behind} commits behind"


def _environment_text(env: EnvironmentDeploy, report: DeploysReport, now: datetime) -> str:
    shown_production = env.production and "prod" not in env.name.lower()
    name = f"*{bk.escape(env.name)}*" + (" (production)" if shown_production else "")
    if env.sha is None:
        return f"{name} · _{bk.escape(env.note or 'never deployed')}_"
    who = f" by {bk.escape(env.deployed_by)}" if env.deployed_by else ""
    text = f"{name} · {bk.code(env.sha[:7])} deployed {ago(env.deployed_at, now)}{who}"
    if env.behind_by == 0:
        text += f" · :white_check_mark: up to date with {bk.code(report.repository.default_branch)}"
    elif env.behind_by:
        text += f" · {env.behind_by} commit{'s' if env.behind_by != 1 else ''} behind"
        if env.pull_requests:
            text += ": " + ", ".join(
                bk.link(f"{report.repository.web_url}/{_pr_path(report)}/{n}", f"#{n}")
                for n in env.pull_requests[:10]
            )
    if env.note:
        text += f" · _{bk.escape(env.note)}_"
    shown = [f"    ◦ {_commit_line(c)}" for c in env.changes[-_CHANGES_SHOWN:]]
    more = (env.behind_by or 0) - len(shown)
    if more > 0 and shown:
        shown.insert(0, f"    ◦ _{more} older_")
    return "\n".join([text, *shown])


def _running_text(workload: RunningWorkload, branch: str) -> str:
    where = (
        f"{bk.code(workload.cluster)} · {bk.escape(workload.namespace)}/{bk.escape(workload.name)}"
    )
    image = bk.code(bk.truncate(workload.image.rsplit("/", 1)[-1], 80))
    if workload.commit is None:
        why = bk.escape(workload.note or "")
        return f"• {where} · {image} · :grey_question: maps to no commit: {why}"
    status = (
        f":white_check_mark: same as {bk.code(branch)}"
        if workload.behind_by == 0
        else f":hourglass: {workload.behind_by} behind {bk.code(branch)}"
        if workload.behind_by
        else ""
    )
    note = f" · _{bk.escape(workload.note)}_" if workload.note else ""
    return (
        f"• {where} · {image} → {bk.code(workload.commit[:7])} "
        f"({bk.escape(workload.mapped_by or '')}) · {status}{note}"
    )


def _deployed_lines(journey: PullRequestJourney, now: datetime) -> list[str]:
    lines = ["*Environments*"] if journey.deployed else []
    for where in journey.deployed:
        mark = {True: ":white_check_mark:", False: ":hourglass:", None: ":grey_question:"}[
            where.contains
        ]
        state = {True: "deployed", False: "not yet", None: "unknown"}[where.contains]
        lines.append(
            f"{mark} *{bk.escape(where.environment)}*: {state}"
            + (f" (last deploy {ago(where.deployed_at, now)})" if where.deployed_at else "")
        )
    if journey.running:
        lines.append("*Running*")
    for run in journey.running:
        mark = {True: ":white_check_mark:", False: ":hourglass:", None: ":grey_question:"}[
            run.contains
        ]
        state = {True: "runs it", False: "not yet", None: "unknown (image maps to no commit)"}[
            run.contains
        ]
        lines.append(
            f"{mark} {bk.code(run.cluster)} · "
            f"{bk.escape(run.namespace)}/{bk.escape(run.workload)}: {state}"
        )
    return lines


def _commit_line(commit: Commit) -> str:
    title = bk.escape(bk.truncate(commit.title, 100))
    return f"{_commit_link(commit)} {title} ({bk.escape(commit.author)})"


def _commit_link(commit: Commit) -> str:
    return bk.link(commit.url, commit.short) if commit.url else bk.code(commit.short)


def _pr_path(report: DeploysReport) -> str:
    return "pull" if report.repository.platform == "github" else "-/merge_requests"
