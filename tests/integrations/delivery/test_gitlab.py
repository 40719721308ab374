"""The GitLab adapter against the loopback GitLab: merge requests with approvals and
pipelines, environments and the change since, following a merge request, throttling."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.loopback.gitlab_api import FakeGitLab
from catalog import Catalog
from integrations.delivery import (
    ChecksState,
    RepositoryGone,
    ReviewState,
    deploys_of,
    pull_requests_of,
)
from integrations.delivery.answers import open_host
from integrations.delivery.hosts import RepositoryTarget

from .conftest import ago, context, hosts, seed_history, service

SLUG = "globex/services/ledger"
ENTITY = service("ledger", **{"gitlab.com/project-slug": SLUG})


def test_merge_requests_carry_approvals_and_pipelines(gitlab: FakeGitLab, engine: Engine) -> None:
    repo = seed_history(gitlab, SLUG, ["Add ledger"])
    d = gitlab.delivery
    d.add_merge_request(
        SLUG,
        3,
        title="Approved",
        author="ann",
        created=ago(days=1),
        approved_by=("bob",),
        pipeline="success",
        sha=repo.commits[1],
    )
    d.add_merge_request(
        SLUG, 4, title="Waiting", author="cy", created=ago(days=12), pipeline="failed"
    )
    d.add_merge_request(
        SLUG,
        5,
        title="Draft: later",
        author="cy",
        created=ago(hours=2),
        draft=True,
        pipeline="running",
    )
    d.add_merge_request(
        SLUG, 2, title="Merged", author="ann", created=ago(days=5), merged_at=ago(days=4)
    )
    d.add_merge_request(
        SLUG,
        6,
        title="Approved, then changes asked",
        author="ann",
        created=ago(days=2),
        reviewers=("bob", "dee"),
        approved_by=("bob",),
        changes_requested=True,
        pipeline="success",
    )

    report = pull_requests_of(context(engine, *hosts(gitlab=gitlab)), ENTITY)

    by_number = {p.number: p for p in report.pull_requests}
    assert sorted(by_number) == [3, 4, 5, 6]
    assert (
        by_number[3].review == ReviewState.APPROVED and by_number[3].checks == ChecksState.PASSING
    )
    assert (
        by_number[4].review == ReviewState.REVIEW_REQUIRED
        and by_number[4].checks == ChecksState.FAILING
    )
    assert by_number[4].is_stale(ago(), 7)
    assert by_number[5].review == ReviewState.DRAFT and by_number[5].checks == ChecksState.PENDING
    assert by_number[3].url.endswith(f"/{SLUG}/-/merge_requests/3")
    assert by_number[6].review == ReviewState.CHANGES_REQUESTED  # despite bob's approval


def test_environments_say_what_runs_and_how_far_behind(gitlab: FakeGitLab, engine: Engine) -> None:
    repo = seed_history(
        gitlab, SLUG, ["Fix rounding\n\nSee merge request globex/services/ledger!7", "Docs"]
    )
    d = gitlab.delivery
    d.add_deployment(
        SLUG, sha=repo.commits[0], environment="production", user="deployer", created=ago(days=2)
    )
    d.add_deployment(
        SLUG, sha=repo.commits[2], environment="staging", user="ann", created=ago(hours=1)
    )

    report = deploys_of(context(engine, *hosts(gitlab=gitlab)), ENTITY)

    production, staging = report.environments
    assert (production.name, production.production, production.deployed_by) == (
        "production",
        True,
        "deployer",
    )
    assert production.behind_by == 2 and production.pull_requests == (7,)
    assert staging.behind_by == 0 and not staging.production


def test_merge_bases_tell_whether_a_commit_is_deployed(gitlab: FakeGitLab, engine: Engine) -> None:
    repo = seed_history(gitlab, SLUG, ["one", "two"])
    target = RepositoryTarget("gitlab", hosts(gitlab=gitlab)[0], SLUG)
    with open_host(context(engine, *hosts(gitlab=gitlab)), target) as host:
        assert host.contains(repo.commits[1], repo.commits[2]) is True
        assert host.contains(repo.commits[2], repo.commits[1]) is False
        assert host.contains("deadbeefdeadbeef", repo.commits[1]) is None
        comparison = host.compare(repo.commits[0], "main")
        assert comparison is not None and comparison.status == "ahead" and comparison.ahead_by == 2


def test_pages_follow_x_next_page(gitlab: FakeGitLab, engine: Engine) -> None:
    seed_history(gitlab, SLUG, [])
    for iid in range(1, 6):
        gitlab.delivery.add_merge_request(
            SLUG, iid, title=f"MR {iid}", author="ann", created=ago(days=iid)
        )
    client = RepositoryTarget("gitlab", hosts(gitlab=gitlab)[0], SLUG).client(timeout=5)
    project = "projects/" + SLUG.replace("/", "%2F")

    items, more = client.pages(
        f"{project}/merge_requests", params={"per_page": 2}, limit=50, doing="listing"
    )

    assert [i["iid"] for i in items] == [1, 2, 3, 4, 5] and not more


def test_a_moved_project_and_a_throttled_host(
    gitlab: FakeGitLab, engine: Engine, catalog: Catalog
) -> None:
    seed_history(gitlab, SLUG, [])
    gitlab.delivery.add_merge_request(SLUG, 1, title="Kept", author="ann", created=ago(days=1))
    first = pull_requests_of(context(engine, *hosts(gitlab=gitlab)), ENTITY)

    gitlab.delivery.rate_limit(reset_in=120)
    again = pull_requests_of(context(engine, *hosts(gitlab=gitlab)), ENTITY)
    assert again.freshness.fetched_at == first.freshness.fetched_at
    assert "GitLab's API rate limit is used up until" in (again.freshness.problem or "")

    gitlab.faults.clear()
    gitlab.delivery.move(SLUG, "globex/services/ledger-v2")
    with pytest.raises(RepositoryGone, match="renamed, moved or deleted"):
        pull_requests_of(context(engine, *hosts(gitlab=gitlab)), ENTITY)


def test_x_next_page_is_followed_when_no_link_header_comes(
    gitlab: FakeGitLab, engine: Engine
) -> None:
    seed_history(gitlab, SLUG, [])
    for iid in (1, 2):
        gitlab.delivery.add_merge_request(
            SLUG, iid, title=f"MR {iid}", author="ann", created=ago(days=iid)
        )
    client = RepositoryTarget("gitlab", hosts(gitlab=gitlab)[0], SLUG).client(timeout=5)
    project = "projects/" + SLUG.replace("/", "%2F")
    # a proxy that drops Link but keeps GitLab's own paging headers
    gitlab.fail(
        "GET", "/projects/[^/]+/merge_requests", 200, [{"iid": 1}], headers={"X-Next-Page": "2"}
    )

    items, more = client.pages(
        f"{project}/merge_requests", params={"per_page": 1}, limit=50, doing="listing"
    )

    assert [i["iid"] for i in items] == [1, 2] and not more
    second = [c for c in gitlab.calls if c.path.endswith("/merge_requests")][1]
    assert second.query["page"] == ["2"] and second.query["per_page"] == ["1"]
