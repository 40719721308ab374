"""The GitHub adapter against the loopback GitHub: pulls with reviews and checks, deployments
and the change since, paging, and each way the host can fail."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.loopback.github_api import FakeGitHub
from integrations.delivery import (
    ChecksState,
    HostRejected,
    HostUnavailable,
    NoRepository,
    RateLimited,
    RepositoryGone,
    ReviewState,
    deploys_of,
    pull_requests_of,
)
from integrations.delivery.hosts import RepositoryTarget

from .conftest import ago, context, hosts, seed_history, service

SLUG = "globex/payments-api"
ENTITY = service("payments-api", **{"github.com/project-slug": SLUG})


def test_open_pull_requests_carry_author_age_review_and_checks(
    github: FakeGitHub, engine: Engine
) -> None:
    repo = seed_history(github, SLUG, ["Add refunds"])
    d = github.delivery
    d.add_pull(
        SLUG, 11, title="Approved one", author="ann", created=ago(days=2), head_sha=repo.commits[1]
    )
    d.add_review(SLUG, 11, user="bob", state="CHANGES_REQUESTED", submitted=ago(days=1, hours=5))
    d.add_review(SLUG, 11, user="bob", state="APPROVED", submitted=ago(days=1))
    d.add_check_run(SLUG, repo.commits[1], name="test", status="completed", conclusion="success")
    d.add_pull(
        SLUG, 12, title="Needs work", author="cy", created=ago(days=1), head_sha=repo.commits[0]
    )
    d.add_review(SLUG, 12, user="ann", state="CHANGES_REQUESTED", submitted=ago(hours=3))
    d.add_status(SLUG, repo.commits[0], context="ci/jenkins", state="failure")
    d.add_pull(
        SLUG,
        13,
        title="Forgotten",
        author="dee",
        created=ago(days=30),
        updated=ago(days=20),
        requested_reviewers=("ann",),
    )
    d.add_pull(SLUG, 14, title="WIP", author="eve", created=ago(hours=1), draft=True)
    d.add_pull(
        SLUG, 9, title="Old merged", author="ann", created=ago(days=9), merged_at=ago(days=8)
    )

    report = pull_requests_of(context(engine, *hosts(github)), ENTITY)

    by_number = {p.number: p for p in report.pull_requests}
    assert sorted(by_number) == [11, 12, 13, 14]  # open only
    assert (
        by_number[11].review == ReviewState.APPROVED and by_number[11].checks == ChecksState.PASSING
    )
    assert by_number[11].author == "ann" and by_number[11].url.endswith(f"/{SLUG}/pull/11")
    assert by_number[12].review == ReviewState.CHANGES_REQUESTED
    assert by_number[12].checks == ChecksState.FAILING
    assert by_number[13].review == ReviewState.REVIEW_REQUIRED and by_number[13].reviewers == (
        "ann",
    )
    assert by_number[13].is_stale(ago(), 7) and not by_number[11].is_stale(ago(), 7)
    assert by_number[14].review == ReviewState.DRAFT
    assert report.repository.default_branch == "main" and not report.more


def test_pull_requests_are_paged_with_link_headers(github: FakeGitHub, engine: Engine) -> None:
    seed_history(github, SLUG, [])
    for number in range(1, 8):
        github.delivery.add_pull(
            SLUG, number, title=f"PR {number}", author="ann", created=ago(days=number)
        )

    report = pull_requests_of(context(engine, *hosts(github), max_pull_requests=5), ENTITY)

    assert [p.number for p in report.pull_requests] == [1, 2, 3, 4, 5] and report.more
    client = RepositoryTarget("github", hosts(github)[0], SLUG).client(timeout=5)
    items, more = client.pages(
        f"repos/{SLUG}/pulls", params={"per_page": 3}, limit=100, doing="listing"
    )
    assert [p["number"] for p in items] == [1, 2, 3, 4, 5, 6, 7] and not more
    pages = [c.query.get("page") for c in github.calls if c.path == f"/repos/{SLUG}/pulls"]
    assert pages[-3:] == [None, ["2"], ["3"]]  # followed the Link headers


def test_deploys_say_what_each_environment_runs_and_the_change_since(
    github: FakeGitHub, engine: Engine
) -> None:
    repo = seed_history(
        github,
        SLUG,
        ["Add refunds (#21)", "Merge pull request #22 from globex/retry\n\nRetry", "Tidy up"],
    )
    d = github.delivery
    d.add_deployment(
        SLUG,
        sha=repo.commits[0],
        environment="production",
        creator="deploy-bot",
        created=ago(days=3),
    )
    d.add_deployment(
        SLUG,
        sha=repo.commits[3],
        environment="production",
        creator="ann",
        created=ago(hours=1),
        states=("in_progress", "failure"),
    )
    d.add_deployment(
        SLUG, sha=repo.commits[3], environment="staging", creator="ann", created=ago(hours=2)
    )

    report = deploys_of(context(engine, *hosts(github)), ENTITY)

    production, staging = report.environments
    assert production.name == "production" and production.production
    assert production.sha == repo.commits[0] and production.deployed_by == "deploy-bot"
    assert production.behind_by == 3 and production.pull_requests == (21, 22)
    assert production.note == "a newer deploy is failure"
    assert staging.behind_by == 0 and staging.sha == repo.commits[3]
    assert report.head is not None and report.head.sha == repo.commits[3]
    assert report.running_note == "no Kubernetes clusters are configured"


def test_a_renamed_repository_says_so(github: FakeGitHub, engine: Engine) -> None:
    seed_history(github, SLUG, [])
    github.delivery.move(SLUG, "globex/payments")

    with pytest.raises(
        RepositoryGone, match="globex/payments-api does not exist on GitHub any more"
    ):
        pull_requests_of(context(engine, *hosts(github)), ENTITY)


def test_a_rate_limited_host_answers_from_the_last_good_data_with_its_age(
    github: FakeGitHub, engine: Engine
) -> None:
    seed_history(github, SLUG, [])
    github.delivery.add_pull(SLUG, 5, title="Cached", author="ann", created=ago(days=1))
    first = pull_requests_of(context(engine, *hosts(github)), ENTITY)
    github.delivery.rate_limit()

    again = pull_requests_of(context(engine, *hosts(github)), ENTITY)

    assert [p.number for p in again.pull_requests] == [5]
    assert again.freshness.fetched_at == first.freshness.fetched_at
    assert (
        again.freshness.problem is not None
        and "rate limit is used up until" in again.freshness.problem
    )


def test_a_rate_limit_with_nothing_kept_raises_with_the_reset_time(
    github: FakeGitHub, engine: Engine
) -> None:
    seed_history(github, SLUG, [])
    github.delivery.rate_limit()

    with pytest.raises(RateLimited) as raised:
        deploys_of(context(engine, *hosts(github)), ENTITY)
    assert raised.value.reset_at is not None


def test_a_bad_token_is_named_without_showing_it(github: FakeGitHub, engine: Engine) -> None:
    seed_history(github, SLUG, [])
    host = hosts(github)[0].model_copy(update={"token": None})

    with pytest.raises(HostRejected) as raised:
        pull_requests_of(context(engine, host), ENTITY)
    assert "rejected the token in GH_READ" in raised.value.user_message
    assert "ghp_" not in raised.value.user_message


def test_preview_environments_are_left_out(github: FakeGitHub, engine: Engine) -> None:
    repo = seed_history(github, SLUG, ["one"])
    d = github.delivery
    d.add_deployment(
        SLUG,
        sha=repo.commits[1],
        environment="pr-7",
        creator="ci",
        created=ago(hours=1),
        transient=True,
    )
    d.add_deployment(
        SLUG, sha=repo.commits[0], environment="prod", creator="ci", created=ago(days=1)
    )

    report = deploys_of(context(engine, *hosts(github)), ENTITY)

    assert [e.name for e in report.environments] == ["prod"]
    assert report.environments[0].production and report.environments[0].behind_by == 1


@pytest.mark.parametrize("slug", ["globex/x?per_page=1", "globex", "a/b/c", "globex/%2e%2e"])
def test_a_slug_that_is_no_plain_path_is_refused(
    github: FakeGitHub, engine: Engine, slug: str
) -> None:
    entity = service("sneaky", **{"github.com/project-slug": slug})
    with pytest.raises(NoRepository):
        pull_requests_of(context(engine, *hosts(github)), entity)
    assert github.calls == []


def test_a_host_that_answers_html_is_named(github: FakeGitHub, engine: Engine) -> None:
    seed_history(github, SLUG, [])
    github.fail("GET", f"/repos/{SLUG}", 200, b"<html>Sign in</html>")

    with pytest.raises(HostUnavailable, match="answered something that is not JSON"):
        pull_requests_of(context(engine, *hosts(github)), ENTITY)
