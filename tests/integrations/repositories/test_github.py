"""GitHub publishing against the loopback GitHub API and real bare repositories."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.loopback.github_api import FakeGitHub
from catalog.errors import ConfigError
from integrations.errors import PublishFailed, RepositoryExists
from integrations.repositories import (
    CommitAuthor,
    GitHubPublisher,
    RepositoriesSettings,
    RepositoryRequest,
    publisher_for,
)

from .conftest import github_settings

REQUEST = RepositoryRequest(
    "invoice-service",
    description="Sends invoices",
    visibility="internal",
    topics=("python", "payments"),
    owner_team_slug="globex/payments-core",
)


def test_publish_creates_configures_and_pushes_the_repository(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    published = GitHubPublisher(github_settings(github)).publish(project_dir, REQUEST, author)

    assert github.api_calls() == [
        ("GET", "/orgs/globex/teams/payments-core"),
        ("POST", "/orgs/globex/repos"),
        ("PUT", "/repos/globex/invoice-service/topics"),
        ("PUT", "/orgs/globex/teams/payments-core/repos/globex/invoice-service"),
    ]
    create = github.calls[1].json
    assert create["name"] == "invoice-service"
    assert create["visibility"] == "internal" and create["private"] is True
    assert create["description"] == "Sends invoices"
    assert github.repos["globex/invoice-service"]["topics"] == ["python", "payments"]
    assert github.team_repos[("globex", "payments-core")] == {"globex/invoice-service": "push"}
    assert github.log("globex/invoice-service") == [
        "Jane Doe <jane.doe@globex.example> | Initial commit"
    ]
    assert set(github.files("globex/invoice-service")) == {
        "README.md",
        "docs/index.md",
        "catalog-info.yaml",
    }
    assert not (project_dir / ".git").exists()
    assert published.web_url == f"{github.url}/globex/invoice-service"
    assert published.clone_url == f"{github.url}/globex/invoice-service.git"
    assert dict(published.annotations) == {
        "github.com/project-slug": "globex/invoice-service",
        "backstage.io/source-location": f"url:{github.url}/globex/invoice-service/tree/main/",
    }


def test_push_uses_the_token_over_http_with_the_requested_branch(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    request = RepositoryRequest("invoice-service", default_branch="trunk")
    GitHubPublisher(github_settings(github)).publish(project_dir, request, author)

    assert ("git-receive-pack", "globex/invoice-service", "greenroom-bot") in github.git_requests
    assert github.log("globex/invoice-service", "trunk")


def test_team_permission_comes_from_the_provider_settings(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    settings = github_settings(github, team_permission="maintain")
    GitHubPublisher(settings).publish(project_dir, REQUEST, author)

    assert github.team_repos[("globex", "payments-core")] == {"globex/invoice-service": "maintain"}


def test_repositories_for_the_token_user_go_to_user_repos(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    publisher = GitHubPublisher(github_settings(github, owner=None))
    published = publisher.publish(project_dir, RepositoryRequest("scratch"), author)

    assert ("POST", "/user/repos") in github.api_calls()
    assert published.web_url == f"{github.url}/greenroom-bot/scratch"
    assert publisher.exists("scratch")


def test_exists_asks_for_the_repository(github: FakeGitHub) -> None:
    github.seed_repository("globex/payments-api", {"README.md": "x"})
    publisher = GitHubPublisher(github_settings(github))

    assert publisher.exists("payments-api")
    assert not publisher.exists("no-such-repo")
    assert github.api_calls() == [
        ("GET", "/repos/globex/payments-api"),
        ("GET", "/repos/globex/no-such-repo"),
    ]


def test_a_taken_name_raises_repository_exists_for_the_name_field(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.seed_repository("globex/invoice-service", {"README.md": "theirs"})

    with pytest.raises(RepositoryExists) as raised:
        GitHubPublisher(github_settings(github)).publish(project_dir, REQUEST, author)

    assert raised.value.field == "name"
    assert "already exists" in raised.value.user_message
    assert github.files("globex/invoice-service") == {"README.md": "theirs"}
    assert ("DELETE", "/repos/globex/invoice-service") not in github.api_calls()


def test_a_rejected_push_deletes_the_new_repository(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.reject_pushes = True

    with pytest.raises(PublishFailed) as raised:
        GitHubPublisher(github_settings(github)).publish(project_dir, REQUEST, author)

    message = raised.value.user_message
    assert "refused the push" in message
    assert "push declined by repository policy" in message
    assert "was deleted again" in message
    assert github.api_calls("DELETE") == [("DELETE", "/repos/globex/invoice-service")]
    assert "globex/invoice-service" not in github.repos
    assert not github.bare_repo("globex/invoice-service").exists()


def test_forbidden_team_access_deletes_the_new_repository(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.fail(
        "PUT",
        "/orgs/globex/teams/payments-core/repos/.*",
        403,
        {"message": "Must have admin rights to Repository.", "documentation_url": "x"},
    )

    with pytest.raises(PublishFailed) as raised:
        GitHubPublisher(github_settings(github)).publish(project_dir, REQUEST, author)

    message = raised.value.user_message
    assert "GREENROOM_GITHUB_TOKEN" in message and "Must have admin rights" in message
    assert "globex/payments-core" in message
    assert "was deleted again" in message
    assert "globex/invoice-service" not in github.repos
    assert not any(service == "git-receive-pack" for service, _, _ in github.git_requests)


def test_when_deletion_is_forbidden_the_error_names_what_is_left(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.reject_pushes = True
    github.fail("DELETE", "/repos/.*", 403, {"message": "Must have admin rights to Repository."})

    with pytest.raises(PublishFailed) as raised:
        GitHubPublisher(github_settings(github)).publish(project_dir, REQUEST, author)

    message = raised.value.user_message
    assert f"{github.url}/globex/invoice-service" in message
    assert "could not delete it" in message and "403" in message
    assert "Delete this repository" in message
    assert "globex/invoice-service" in github.repos


def test_an_unknown_team_is_reported_with_suggestions_before_creating(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.add_org("globex", *[f"squad-{i:02d}" for i in range(120)], "payments-core")
    request = RepositoryRequest("invoice-service", owner_team_slug="globex/payments-cor")

    with pytest.raises(PublishFailed) as raised:
        GitHubPublisher(github_settings(github)).publish(project_dir, request, author)

    message = raised.value.user_message
    assert "team 'payments-cor' was not found in organisation 'globex'" in message
    assert "github.com/team-slug" in message
    assert "Did you mean: payments-core" in message
    pages = [c for c in github.calls if c.path == "/orgs/globex/teams"]
    assert len(pages) == 2  # followed the Link header to the second page
    assert not github.api_calls("POST")


def test_a_team_of_another_organisation_is_refused_before_creating(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    request = RepositoryRequest("invoice-service", owner_team_slug="initech/payments-core")

    with pytest.raises(PublishFailed, match="belongs to 'initech'"):
        GitHubPublisher(github_settings(github)).publish(project_dir, request, author)

    assert github.calls == []


def test_a_missing_organisation_is_named(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    publisher = GitHubPublisher(github_settings(github, owner="initech"))

    with pytest.raises(PublishFailed, match="organisation 'initech' was not found"):
        publisher.publish(project_dir, RepositoryRequest("invoice-service"), author)


def test_a_rejected_token_is_named_by_its_environment_variable(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.tokens.clear()

    with pytest.raises(PublishFailed) as raised:
        GitHubPublisher(github_settings(github)).publish(project_dir, REQUEST, author)

    assert "rejected the token in GREENROOM_GITHUB_TOKEN" in raised.value.user_message
    assert "Bad credentials" in raised.value.user_message


def test_a_rate_limit_with_retry_after_is_waited_out(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.fail(
        "POST",
        "/orgs/globex/repos",
        403,
        {"message": "You have exceeded a secondary rate limit.", "documentation_url": "x"},
        headers={"retry-after": "7"},
    )
    waits: list[float] = []

    GitHubPublisher(github_settings(github), sleep=waits.append).publish(
        project_dir, REQUEST, author
    )

    assert waits == [7.0]
    assert github.api_calls("POST") == [("POST", "/orgs/globex/repos")] * 2
    assert "globex/invoice-service" in github.repos


def test_a_used_up_rate_limit_is_reported_with_its_reset_time(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    reset = int(time.time()) + 1800
    github.fail(
        "GET",
        "/orgs/globex/teams/.*",
        403,
        {"message": "API rate limit exceeded for user ID 1.", "documentation_url": "x"},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    waits: list[float] = []

    with pytest.raises(PublishFailed) as raised:
        GitHubPublisher(github_settings(github), sleep=waits.append).publish(
            project_dir, REQUEST, author
        )

    assert "rate limit is used up" in raised.value.user_message
    assert "in about 30 minutes" in raised.value.user_message
    assert waits == []
    assert not github.api_calls("POST")


def test_a_server_error_on_creation_is_reported_plainly(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    github.fail("POST", "/orgs/globex/repos", 500, {"message": "Server Error"})

    with pytest.raises(PublishFailed, match=r"internal error \(500\) while creating"):
        GitHubPublisher(github_settings(github)).publish(project_dir, REQUEST, author)


def test_invalid_topics_are_refused_before_anything_is_created(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    request = RepositoryRequest("invoice-service", topics=("Python 3",))

    with pytest.raises(PublishFailed, match="'Python 3' is not"):
        GitHubPublisher(github_settings(github)).publish(project_dir, request, author)

    assert github.calls == []


@pytest.mark.parametrize("name", ["", "-leading-dash", "has space", "a" * 101, "x.git", "../up"])
def test_invalid_names_are_refused_before_anything_is_created(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor, name: str
) -> None:
    with pytest.raises(PublishFailed, match="not a valid repository name"):
        GitHubPublisher(github_settings(github)).publish(
            project_dir, RepositoryRequest(name), author
        )

    assert github.calls == []


def test_an_empty_folder_is_refused_before_anything_is_created(
    github: FakeGitHub, tmp_path: Path, author: CommitAuthor
) -> None:
    (tmp_path / "empty").mkdir()

    with pytest.raises(PublishFailed, match="Nothing to publish"):
        GitHubPublisher(github_settings(github)).publish(
            tmp_path / "empty", RepositoryRequest("x"), author
        )

    assert github.calls == []


def test_a_missing_token_is_a_config_error_before_any_call(github: FakeGitHub) -> None:
    settings = RepositoriesSettings(providers=[github_settings(github, token=None)])

    with pytest.raises(ConfigError, match="GREENROOM_GITHUB_TOKEN"):
        publisher_for(settings)

    assert github.calls == []


def test_names_and_team_slugs_cannot_reach_other_api_paths(
    github: FakeGitHub, project_dir: Path, author: CommitAuthor
) -> None:
    publisher = GitHubPublisher(github_settings(github))

    with pytest.raises(PublishFailed, match="not a valid repository name"):
        publisher.exists("x/../../user")
    bad_team = RepositoryRequest("invoice-service", owner_team_slug="globex/../../user?x=1")
    with pytest.raises(PublishFailed, match="is not a team slug"):
        publisher.publish(project_dir, bad_team, author)

    assert github.calls == []
