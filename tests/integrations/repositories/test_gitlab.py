"""GitLab publishing against the loopback GitLab API and real bare repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.loopback.gitlab_api import FakeGitLab
from catalog.errors import ConfigError
from integrations.errors import PublishFailed, RepositoryExists
from integrations.repositories import (
    CommitAuthor,
    GitLabPublisher,
    RepositoriesSettings,
    RepositoryRequest,
    publisher_for,
)

from .conftest import gitlab_settings

REQUEST = RepositoryRequest(
    "invoice-service",
    description="Sends invoices",
    visibility="internal",
    topics=("python", "Payments Team"),
    owner_team_slug="globex/squads/payments-core",
)


def test_publish_creates_shares_and_pushes_the_project(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    published = GitLabPublisher(gitlab_settings(gitlab)).publish(project_dir, REQUEST, author)

    project = gitlab.project("globex/services/invoice-service")
    assert project is not None
    assert gitlab.api_calls() == [
        ("GET", "/namespaces/globex%2Fservices"),
        ("GET", "/groups/globex%2Fsquads%2Fpayments-core"),
        ("POST", "/projects"),
        ("POST", f"/projects/{project['id']}/share"),
    ]
    create = gitlab.calls[2].json
    assert create == {
        "name": "invoice-service",
        "path": "invoice-service",
        "namespace_id": gitlab.namespaces["globex/services"]["id"],
        "visibility": "internal",
        "description": "Sends invoices",
        "topics": ["python", "Payments Team"],
        "initialize_with_readme": False,
        "default_branch": "main",
    }
    squad = gitlab.namespaces["globex/squads/payments-core"]["id"]
    assert [(s["group_id"], s["group_access"]) for s in gitlab.shares[project["id"]]] == [
        (squad, 30)
    ]
    assert gitlab.log("globex/services/invoice-service") == [
        "Jane Doe <jane.doe@globex.example> | Initial commit"
    ]
    assert "docs/index.md" in gitlab.files("globex/services/invoice-service")
    assert published.web_url == f"{gitlab.url}/globex/services/invoice-service"
    assert dict(published.annotations) == {
        "gitlab.com/project-slug": "globex/services/invoice-service",
        "backstage.io/source-location": (
            f"url:{gitlab.url}/globex/services/invoice-service/-/tree/main/"
        ),
    }


def test_the_owning_group_gets_the_configured_access_level(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    settings = gitlab_settings(gitlab, team_permission="maintainer")
    GitLabPublisher(settings).publish(project_dir, REQUEST, author)

    project = gitlab.project("globex/services/invoice-service")
    assert project is not None
    assert gitlab.shares[project["id"]][0]["group_access"] == 40


def test_projects_for_the_token_user_go_to_their_namespace(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    publisher = GitLabPublisher(gitlab_settings(gitlab, owner=None))
    published = publisher.publish(project_dir, RepositoryRequest("scratch"), author)

    assert "namespace_id" not in gitlab.calls[-1].json
    assert published.web_url == f"{gitlab.url}/greenroom-bot/scratch"
    assert publisher.exists("scratch")
    assert not publisher.exists("other")


def test_a_taken_name_raises_repository_exists_for_the_name_field(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    gitlab.seed_repository("globex/services/invoice-service", {"README.md": "theirs"})

    with pytest.raises(RepositoryExists) as raised:
        GitLabPublisher(gitlab_settings(gitlab)).publish(project_dir, REQUEST, author)

    assert raised.value.field == "name"
    assert "already exists in globex/services" in raised.value.user_message
    assert gitlab.files("globex/services/invoice-service") == {"README.md": "theirs"}
    assert not gitlab.api_calls("DELETE")


def test_a_rejected_push_deletes_the_new_project(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    gitlab.reject_pushes = True

    with pytest.raises(PublishFailed) as raised:
        GitLabPublisher(gitlab_settings(gitlab)).publish(project_dir, REQUEST, author)

    message = raised.value.user_message
    assert "GitLab refused the push" in message and "push declined" in message
    assert "was deleted again" in message
    assert len(gitlab.api_calls("DELETE")) == 1
    assert gitlab.project("globex/services/invoice-service") is None


def test_a_failed_share_deletes_the_new_project(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    gitlab.fail("POST", "/projects/[0-9]+/share", 403, {"message": "403 Forbidden"})

    with pytest.raises(PublishFailed) as raised:
        GitLabPublisher(gitlab_settings(gitlab)).publish(project_dir, REQUEST, author)

    assert "not allowed" in raised.value.user_message
    assert "GREENROOM_GITLAB_TOKEN" in raised.value.user_message
    assert gitlab.project("globex/services/invoice-service") is None


def test_when_deletion_is_forbidden_the_error_names_what_is_left(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    gitlab.reject_pushes = True
    gitlab.fail("DELETE", "/projects/.*", 403, {"message": "403 Forbidden"})

    with pytest.raises(PublishFailed) as raised:
        GitLabPublisher(gitlab_settings(gitlab)).publish(project_dir, REQUEST, author)

    message = raised.value.user_message
    assert f"{gitlab.url}/globex/services/invoice-service" in message
    assert "could not delete it" in message and "Delete project" in message
    assert gitlab.project("globex/services/invoice-service") is not None


def test_a_missing_namespace_is_named_with_suggestions(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    for index in range(25):
        gitlab.add_group(f"globex/serv-{index:02d}")
    publisher = GitLabPublisher(gitlab_settings(gitlab, owner="globex/service"))

    with pytest.raises(PublishFailed) as raised:
        publisher.publish(project_dir, RepositoryRequest("invoice-service"), author)

    assert "GitLab group 'globex/service' was not found" in raised.value.user_message
    assert "Did you mean: globex/services" in raised.value.user_message
    assert not gitlab.api_calls("POST")


def test_a_missing_owning_group_is_reported_before_creating(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    request = RepositoryRequest("invoice-service", owner_team_slug="globex/squads/nobody")

    with pytest.raises(PublishFailed) as raised:
        GitLabPublisher(gitlab_settings(gitlab)).publish(project_dir, request, author)

    assert "'globex/squads/nobody' was not found" in raised.value.user_message
    assert "gitlab.com/group-path" in raised.value.user_message
    assert not gitlab.api_calls("POST")


def test_a_rejected_token_is_named_by_its_environment_variable(
    gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor
) -> None:
    gitlab.tokens.clear()

    with pytest.raises(PublishFailed, match="rejected the token in GREENROOM_GITLAB_TOKEN"):
        GitLabPublisher(gitlab_settings(gitlab)).publish(project_dir, REQUEST, author)


def test_a_429_is_waited_out(gitlab: FakeGitLab, project_dir: Path, author: CommitAuthor) -> None:
    gitlab.fail(
        "POST",
        "/projects",
        429,
        {"message": "429 Too Many Requests"},
        headers={"Retry-After": "3", "RateLimit-Remaining": "0"},
    )
    waits: list[float] = []

    GitLabPublisher(gitlab_settings(gitlab), sleep=waits.append).publish(
        project_dir, REQUEST, author
    )

    assert waits == [3.0]
    assert gitlab.project("globex/services/invoice-service") is not None


def test_a_missing_token_is_a_config_error_before_any_call(gitlab: FakeGitLab) -> None:
    settings = RepositoriesSettings(providers=[gitlab_settings(gitlab, token=None)])

    with pytest.raises(ConfigError, match="GREENROOM_GITLAB_TOKEN"):
        publisher_for(settings, "gitlab")

    assert gitlab.calls == []


def test_exists_refuses_names_that_would_leave_the_namespace(gitlab: FakeGitLab) -> None:
    with pytest.raises(PublishFailed, match="not a valid repository name"):
        GitLabPublisher(gitlab_settings(gitlab)).exists("../other-group/x")

    assert gitlab.calls == []
