"""The worker's refresh: every service with a repository, a rate-limited host left alone."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.loopback.github_api import FakeGitHub
from integrations.delivery import PullRequestsReport, team_delivery
from integrations.delivery.refresh import refresh_answers
from integrations.delivery.snapshots import load_snapshot

from .conftest import ago, context, hosts, seed_history, service


def test_refresh_keeps_answers_for_team_pages_and_spares_a_rate_limited_host(
    github: FakeGitHub, engine: Engine
) -> None:
    seed_history(github, "globex/a", [])
    seed_history(github, "globex/b", [])
    github.delivery.add_pull("globex/a", 1, title="Waiting", author="ann", created=ago(days=9))
    a = service("a", **{"github.com/project-slug": "globex/a"})
    b = service("b", **{"github.com/project-slug": "globex/b"})
    bare = service("bare")

    counts = refresh_answers(context(engine, *hosts(github)), [a, b, bare])

    assert counts == {"refreshed": 2, "failed": 0, "skipped": 0}
    assert load_snapshot(engine, str(a.ref), "prs", PullRequestsReport) is not None
    team = team_delivery(engine, [str(a.ref), str(b.ref)], now=ago(), stale_after_days=7)
    assert [w.pull_request.number for w in team.waiting] == [1] and team.waiting[0].stale

    github.delivery.rate_limit()
    calls = len(github.calls)
    counts = refresh_answers(context(engine, *hosts(github)), [a, b])
    assert counts == {"refreshed": 0, "failed": 1, "skipped": 1}
    assert len(github.calls) == calls + 1  # one 403, then the host is left alone


def test_refresh_keeps_the_last_quarter_of_the_rate_limit_for_people(
    github: FakeGitHub, engine: Engine
) -> None:
    entities = []
    for name in ("c", "d", "e"):
        seed_history(github, f"globex/{name}", [])
        entities.append(service(name, **{"github.com/project-slug": f"globex/{name}"}))
    github.rate_remaining = 1000  # of 5000: less than a quarter left

    counts = refresh_answers(context(engine, *hosts(github)), entities)

    assert counts == {"refreshed": 1, "failed": 0, "skipped": 2}
