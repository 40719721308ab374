"""Reading an entity's repository folder from its annotations."""

from __future__ import annotations

import pytest

from integrations.repositories import (
    RepoLocation,
    RepoLocationError,
    RepositoryHostSettings,
    locate_repository,
)

from .conftest import stored_entity

HOSTS = [
    RepositoryHostSettings(url="https://github.com", type="github"),
    RepositoryHostSettings(url="https://ghe.globex.example", type="github"),
    RepositoryHostSettings(url="https://gitlab.globex.example", type="gitlab"),
    RepositoryHostSettings(url="https://git.globex.example/gitlab"),
]


def _locate(annotations: dict[str, str]) -> RepoLocation:
    return locate_repository(stored_entity("x", annotations).entity, HOSTS)


@pytest.mark.parametrize(
    ("value", "web_url", "branch", "path"),
    [
        (
            "url:https://github.com/globex/payments/tree/main/services/api",
            "https://github.com/globex/payments",
            "main",
            "services/api",
        ),
        (
            "url:https://github.com/globex/payments/tree/main/",
            "https://github.com/globex/payments",
            "main",
            "",
        ),
        ("url:https://github.com/globex/payments", "https://github.com/globex/payments", None, ""),
        (
            "url:https://github.com/globex/payments.git",
            "https://github.com/globex/payments",
            None,
            "",
        ),
        (
            "url:https://ghe.globex.example/globex/tree/tree/release/docs%20site",
            "https://ghe.globex.example/globex/tree",
            "release",
            "docs site",
        ),
        (
            "url:https://gitlab.globex.example/globex/shop/checkout/-/tree/develop/svc/web",
            "https://gitlab.globex.example/globex/shop/checkout",
            "develop",
            "svc/web",
        ),
        (
            "url:https://gitlab.globex.example/globex/shop/checkout/tree/main/svc",
            "https://gitlab.globex.example/globex/shop/checkout",
            "main",
            "svc",
        ),
        (
            "url:https://gitlab.globex.example/globex/shop/checkout",
            "https://gitlab.globex.example/globex/shop/checkout",
            None,
            "",
        ),
        (
            "url:https://git.globex.example/gitlab/platform/tools/-/blob/main/README.md",
            "https://git.globex.example/gitlab/platform/tools",
            "main",
            "README.md",
        ),
    ],
)
def test_source_location_urls_give_repository_branch_and_folder(
    value: str, web_url: str, branch: str | None, path: str
) -> None:
    location = _locate({"backstage.io/source-location": value})

    assert (location.web_url, location.branch, location.path) == (web_url, branch, path)
    assert location.clone_url == f"{web_url}.git"


def test_managed_by_location_gives_the_folder_of_the_catalog_file() -> None:
    value = "url:https://github.com/globex/payments/blob/main/services/api/catalog-info.yaml"

    location = _locate({"backstage.io/managed-by-location": value})

    assert (location.web_url, location.branch, location.path) == (
        "https://github.com/globex/payments",
        "main",
        "services/api",
    )


def test_project_slugs_resolve_on_the_first_host_of_their_type() -> None:
    github = _locate({"github.com/project-slug": "globex/payments"})
    gitlab = _locate({"gitlab.com/project-slug": "globex/shop/checkout"})

    assert github.web_url == "https://github.com/globex/payments"
    assert gitlab.web_url == "https://gitlab.globex.example/globex/shop/checkout"
    assert (github.branch, github.path) == (None, "")


def test_source_location_wins_over_project_slug() -> None:
    location = _locate(
        {
            "github.com/project-slug": "globex/other",
            "backstage.io/source-location": "url:https://github.com/globex/payments/tree/main/",
        }
    )

    assert location.web_url == "https://github.com/globex/payments"


@pytest.mark.parametrize(
    ("annotations", "reason"),
    [
        ({}, "has no backstage.io/source-location"),
        ({"backstage.io/source-location": "dir:/srv/catalog/x"}, "not a repository URL"),
        (
            {"backstage.io/source-location": "url:https://bitbucket.org/globex/x/src/main/"},
            "https://bitbucket.org is not listed in repositories.hosts",
        ),
        (
            {"backstage.io/source-location": "url:https://github.com.evil.example/a/b"},
            "not listed",
        ),
        (
            {"backstage.io/source-location": "url:https://git.globex.example/other/a/b"},
            "not listed",
        ),
        (
            {"backstage.io/source-location": "url:https://github.com/globex"},
            "not an owner/repository",
        ),
        (
            {"backstage.io/source-location": "url:https://github.com/globex/x/commits/main"},
            "cannot read",
        ),
        ({"github.com/project-slug": "../etc"}, "not an owner/repository"),
    ],
)
def test_what_cannot_be_cloned_says_why(annotations: dict[str, str], reason: str) -> None:
    with pytest.raises(RepoLocationError, match=reason):
        _locate(annotations)


def test_a_project_slug_without_a_host_of_its_type_says_so() -> None:
    entity = stored_entity("x", {"gitlab.com/project-slug": "a/b"}).entity

    with pytest.raises(RepoLocationError, match="no gitlab host is configured"):
        locate_repository(entity, HOSTS[:2])
