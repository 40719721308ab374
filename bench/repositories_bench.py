"""Repositories benchmark: publishing round-trips and the clone cache, against the loopback
GitHub and GitLab fakes (real git over smart HTTP, served by ``git http-backend``).

    .venv/bin/python bench/repositories_bench.py [--publishes 10] [--repos 100] [--runs 3]

Publish: create + topics + team access + push of a 25-file project (a new name each run).
Cache: ``folders_for`` over N entities in N repositories: cold (every repository cloned),
warm (fresh clones, no git at all), and forced refresh with nothing new (``max_age=0``: one
``ls-remote`` per repository).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr

from bot.loopback.github_api import FakeGitHub
from bot.loopback.gitlab_api import FakeGitLab
from integrations.repositories import (
    CommitAuthor,
    GitHubPublisher,
    GitLabPublisher,
    RepoFolder,
    RepositoriesSettings,
    RepositoryCache,
    RepositoryCacheSettings,
    RepositoryHostSettings,
    RepositoryProviderSettings,
    RepositoryRequest,
)
from tests.integrations.repositories.conftest import stored_entity

GITHUB_TOKEN = "ghp_fake_token_0123456789"
GITLAB_TOKEN = "glpat-fake-token-0123456789"
AUTHOR = CommitAuthor("Bench Mark", "bench@globex.example")


def _project(root: Path) -> Path:
    for index in range(25):
        path = root / f"pkg{index % 5}" / f"module_{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'"""Module {index}."""\n' + "x = 1\n" * 40)
    return root


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def bench_publish(work: Path, publishes: int) -> dict[str, str]:
    project = _project(work / "project")
    results = {}
    with FakeGitHub(work / "github") as github, FakeGitLab(work / "gitlab") as gitlab:
        github.add_org("globex", "payments-core")
        gitlab.add_group("globex/services")
        gitlab.add_group("globex/squads/payments-core")
        publishers = {
            "GitHub": (
                GitHubPublisher(_provider("github", github.api_url, "globex", GITHUB_TOKEN)),
                "globex/payments-core",
            ),
            "GitLab": (
                GitLabPublisher(
                    _provider("gitlab", gitlab.api_url, "globex/services", GITLAB_TOKEN)
                ),
                "globex/squads/payments-core",
            ),
        }
        for platform, (publisher, team) in publishers.items():
            samples = []
            for index in range(publishes):
                request = RepositoryRequest(
                    f"bench-{index}", topics=("python",), owner_team_slug=team
                )
                started = time.perf_counter()
                publisher.publish(project, request, AUTHOR)
                samples.append(time.perf_counter() - started)
            results[platform] = _ms(samples)
    return results


def bench_cache(work: Path, repos: int, runs: int) -> dict[str, str]:
    with FakeGitHub(work / "github") as github:
        for index in range(repos):
            github.seed_repository(
                f"globex/service-{index:03d}",
                {"mkdocs.yml": "site_name: x\n", "docs/index.md": "# Hi\n" * 50, "README.md": "x"},
            )
        host = RepositoryHostSettings(
            url=github.url, type="github", token_env="T", token=SecretStr(GITHUB_TOKEN)
        )
        settings = RepositoriesSettings(hosts=[host], cache=RepositoryCacheSettings(parallel=4))
        entities = [
            stored_entity(
                f"service-{i:03d}", {"github.com/project-slug": f"globex/service-{i:03d}"}
            )
            for i in range(repos)
        ]
        cold, warm, fetch = [], [], []
        for run in range(runs):
            cache = RepositoryCache(work / f"repos-{run}", settings)
            for samples, max_age in ((cold, None), (warm, None), (fetch, 0.0)):
                started = time.perf_counter()
                results = cache.folders_for(entities, max_age=max_age)
                samples.append(time.perf_counter() - started)
                assert all(isinstance(r, RepoFolder) for r in results.values())
    per = f"{repos} repos, 4 at a time"
    return {
        f"cold: clone ({per})": _s(cold),
        f"warm: fresh clones, no git ({per})": _s(warm),
        f"refresh: nothing new ({per})": _s(fetch),
    }


def _s(samples: list[float]) -> str:
    low, high = min(samples), max(samples)
    return f"median {statistics.median(samples):.2f} s (min {low:.2f}, max {high:.2f})"


def _provider(kind: str, api_url: str, owner: str, token: str) -> RepositoryProviderSettings:
    return RepositoryProviderSettings.model_validate(
        {
            "name": kind,
            "type": kind,
            "api_url": api_url,
            "owner": owner,
            "token_env": "T",
            "token": SecretStr(token),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishes", type=int, default=10)
    parser.add_argument("--repos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenroom-bench-") as scratch:
        publish = bench_publish(Path(scratch) / "publish", args.publishes)
        cache = bench_cache(Path(scratch) / "cache", args.repos, args.runs)
    print(f"| Publish round-trip ({args.publishes} runs each) | |")
    print("|---|---|")
    for platform, line in publish.items():
        print(f"| {platform}: create, topics, team access, push 25 files | {line} |")
    print(f"\n| Repository cache ({args.runs} runs each) | |")
    print("|---|---|")
    for what, line in cache.items():
        print(f"| {what} | {line} |")


if __name__ == "__main__":
    main()
