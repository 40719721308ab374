"""``/greenroom prs``, ``deploys`` and ``pr``, the team page's delivery section and link
previews: the real server and Slack app, the loopback Slack, GitHub, GitLab and a Kubernetes
API server reached by the real ``kubernetes`` client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.loopback import kubernetes_objects as k
from bot.loopback.github_api import FakeGitHub
from bot.loopback.gitlab_api import FakeGitLab
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig
from tests.scenarios.workspace import ALICE, Workspace

GH_TOKEN = "ghp_fake_token_0123456789"
GL_TOKEN = "glpat-fake-token-0123456789"
BACKSTAGE = "https://backstage.acme.example"
NOW = datetime.now(UTC).replace(microsecond=0)

COMPANY = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, title: Payments team, annotations: {slack.com/channel: C0PAYMENTS}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  description: Takes card payments.
  annotations:
    github.com/project-slug: globex/payments-api
    backstage.io/kubernetes-id: payments-api
    backstage.io/kubernetes-namespace: payments
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations: {gitlab.com/project-slug: globex/ledger}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: old-billing
  annotations: {github.com/project-slug: globex/old-billing}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: no-repo}
spec: {type: service, lifecycle: experimental, owner: payments}
"""


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


@dataclass
class Delivery:
    """The hosts, a cluster, the commits on main of payments-api, and greenroom over them."""

    github: FakeGitHub
    gitlab: FakeGitLab
    cluster: FakeKubernetesApi
    commits: list[str]
    ledger: list[str]
    serve_greenroom: Callable[..., Workspace]
    tmp_path: Path

    def serve(self, **delivery: Any) -> Workspace:
        kubeconfig = write_kubeconfig(
            self.tmp_path / "kubeconfig.yaml", {"prod-eu": (self.cluster.url, self.cluster.token)}
        )
        config = {
            "repositories": {
                "hosts": [
                    {"url": self.github.url, "type": "github", "token_env": "GH_READ"},
                    {"url": self.gitlab.url, "type": "gitlab", "token_env": "GL_READ"},
                ]
            },
            "kubernetes": {
                "clusters": [
                    {
                        "name": "prod-eu",
                        "type": "kubeconfig",
                        "kubeconfig": str(kubeconfig),
                        "context": "prod-eu",
                    }
                ]
            },
            "delivery": {"fresh_seconds": 0, "backstage_url": BACKSTAGE} | delivery,
        }
        return self.serve_greenroom(
            config=config, environ={"GH_READ": GH_TOKEN, "GL_READ": GL_TOKEN}
        )


@pytest.fixture
def delivery(
    tmp_path: Path, serve_greenroom: Callable[..., Workspace], write_catalog: Callable[[str], None]
) -> Iterator[Delivery]:
    write_catalog(COMPANY)
    with FakeGitHub(tmp_path / "github") as github, FakeGitLab(tmp_path / "gitlab") as gitlab:
        slug = "globex/payments-api"
        commits = [github.seed_repository(slug, {"README.md": "# payments\n"}, private=True)]
        for message in ["Add refunds (#21)", "Merge pull request #22 from globex/retry\n\nRetry"]:
            commits.append(github.commit(slug, {f"{len(commits)}.txt": message}, message=message))
        github.tag(slug, "1.4.2", commits[0])
        d = github.delivery
        d.add_deployment(
            slug,
            sha=commits[0],
            environment="production",
            creator="deploy-bot",
            created=ago(days=3),
        )
        d.add_deployment(
            slug, sha=commits[2], environment="staging", creator="alice", created=ago(hours=2)
        )
        d.add_pull(
            slug,
            21,
            title="Add refunds",
            author="ann",
            created=ago(days=4),
            merged_at=ago(days=2),
            merge_commit_sha=commits[1],
        )
        d.add_pull(
            slug,
            23,
            title="Faster <!channel> *checkout*",
            author="bob",
            created=ago(days=1),
            head_sha=commits[2],
        )
        d.add_check_run(slug, commits[2], name="test", status="completed", conclusion="failure")
        d.add_pull(
            slug,
            24,
            title="Forgotten idea",
            author="cy",
            created=ago(days=30),
            updated=ago(days=20),
        )
        d.add_pull(slug, 25, title="Approved fix", author="dee", created=ago(hours=5))
        d.add_review(slug, 25, user="ann", state="APPROVED", submitted=ago(hours=1))

        ledger = [gitlab.seed_repository("globex/ledger", {"README.md": "# ledger\n"})]
        ledger.append(gitlab.commit("globex/ledger", {"a.txt": "a"}, message="Round half even"))
        gitlab.delivery.add_deployment(
            "globex/ledger",
            sha=ledger[1],
            environment="production",
            user="deployer",
            created=ago(hours=6),
        )
        gitlab.delivery.add_merge_request(
            "globex/ledger",
            3,
            title="Ledger export",
            author="eve",
            created=ago(days=2),
            pipeline="success",
        )

        github.seed_repository("globex/old-billing", {"README.md": "# billing\n"})
        github.delivery.move("globex/old-billing", "globex/billing")

        cluster = FakeKubernetesApi().start()
        running = k.deployment(
            "payments-api", image=f"registry.acme.example/payments-api:sha-{commits[1][:7]}"
        )
        canary = k.deployment(
            "payments-api-canary",
            labels={k.KUBE_ID: "payments-api"},
            image="registry.acme.example/payments-api:latest",
        )
        cluster.add(running, canary)
        try:
            yield Delivery(github, gitlab, cluster, commits, ledger, serve_greenroom, tmp_path)
        finally:
            cluster.close()


# -- prs ---------------------------------------------------------------------------------------
def test_prs_of_a_service_show_review_checks_age_and_stale(delivery: Delivery) -> None:
    ws = delivery.serve()

    sent = ws.command("prs payments-api")
    reply = ws.reply(sent)
    text = ws.text(reply)

    assert sent.seconds < 1.5  # acked before GitHub was asked
    assert "Pull requests: Payments API" in text
    assert "3 open · 2 waiting for review · 1 stale (no activity for 7d)" in text
    assert "by bob" in text and ":red_circle: checks failing" in text
    assert "#25 Approved fix" in text and ":white_check_mark: approved" in text
    assert ":zzz: *stale*: no activity for 20d" in text
    assert "#21" not in text  # merged: not open
    assert "<!channel>" not in str(reply["blocks"])  # a title cannot ping a channel


def test_prs_of_a_team_list_each_service_or_why_not(delivery: Delivery) -> None:
    text = Workspace.text(delivery.serve().ask("prs payments"))

    assert "Pull requests: Payments team" in text
    assert "4 open across" in text
    assert "Ledger export" in text and "Faster" in text


def test_prs_of_a_service_without_repository_say_what_to_add(delivery: Delivery) -> None:
    text = Workspace.text(delivery.serve().ask("prs no-repo"))
    assert "names no repository greenroom can read" in text
    assert "github.com/project-slug" in text


# -- deploys -----------------------------------------------------------------------------------
def test_deploys_say_how_far_production_is_behind_and_what_runs(delivery: Delivery) -> None:
    ws = delivery.serve()

    sent = ws.command("deploys payments-api")
    text = ws.text(ws.reply(sent))

    assert sent.seconds < 1.5
    assert "Deploys: Payments API" in text
    assert "*production is 2 commits behind `main`*: #21, #22 not deployed yet" in text
    assert f"`{delivery.commits[0][:7]}` deployed 3d ago by deploy-bot · 2 commits behind" in text
    assert "Add refunds (#21)" in text
    assert "*staging* · " in text and "up to date with `main`" in text
    assert (
        f"payments-api:sha-{delivery.commits[1][:7]}` → `{delivery.commits[1][:7]}` (sha tag)"
        in text
    )
    assert ":hourglass: 1 behind `main`" in text
    assert "payments-api:latest` · :grey_question: maps to no commit: tag `latest` moves" in text


def test_deploys_on_gitlab_environments(delivery: Delivery) -> None:
    text = Workspace.text(delivery.serve().ask("deploys ledger"))
    assert "production runs what `main` has" in text
    assert "deployed 6h ago by deployer" in text
    assert "it has no Kubernetes annotations" in text


def test_deploys_of_a_repository_that_no_longer_exists(delivery: Delivery) -> None:
    text = Workspace.text(delivery.serve().ask("deploys old-billing"))
    assert "globex/old-billing does not exist on GitHub any more" in text
    assert "update the entity's repository annotation" in text


def test_a_rate_limited_host_is_answered_from_the_last_good_data_with_its_age(
    delivery: Delivery,
) -> None:
    ws = delivery.serve()
    ws.ask("deploys payments-api")
    delivery.github.delivery.rate_limit()

    text = ws.text(ws.ask("deploys payments-api"))

    assert "Last good data, from just now" in text
    assert "GitHub's API rate limit is used up until" in text
    assert "production is 2 commits behind" in text


def test_an_image_that_maps_to_no_commit_says_why(delivery: Delivery) -> None:
    delivery.cluster.clear()
    unknown = k.deployment("payments-api", image="registry.acme.example/payments-api:9.9.9")
    pinned = k.deployment(
        "payments-api-pinned",
        labels={k.KUBE_ID: "payments-api"},
        image="registry.acme.example/payments-api@sha256:" + "c" * 64,
    )
    annotated = k.deployment(
        "payments-api-annotated",
        labels={k.KUBE_ID: "payments-api"},
        image="registry.acme.example/payments-api@sha256:" + "d" * 64,
    )
    revision = {"org.opencontainers.image.revision": delivery.commits[2]}
    annotated["spec"]["template"]["metadata"]["annotations"] = revision
    versioned = k.deployment("payments-api-versioned", labels={k.KUBE_ID: "payments-api"})
    delivery.cluster.add(unknown, pinned, annotated, versioned)

    text = Workspace.text(delivery.serve().ask("deploys payments-api"))

    assert "maps to no commit: its version tag `9.9.9` matches no tag in the repository" in text
    assert "maps to no commit: pinned by digest only" in text
    assert f"→ `{delivery.commits[2][:7]}` (annotation) · :white_check_mark: same as `main`" in text
    assert (
        f"payments-api:1.4.2` → `{delivery.commits[0][:7]}` (version tag) · :hourglass: 2 behind"
        in text
    )


# -- pr ----------------------------------------------------------------------------------------
def test_pr_follows_a_merged_pull_request_to_environments_and_clusters(delivery: Delivery) -> None:
    url = f"{delivery.github.url}/globex/payments-api/pull/21"
    text = Workspace.text(delivery.serve().ask(f"pr {url}"))

    assert "PR #21 Add refunds" in text and "*Merged* · merged 2d ago" in text
    assert ":rocket: Deployed to staging" in text
    assert ":hourglass: *production*: not yet" in text
    assert ":white_check_mark: *staging*: deployed" in text
    assert "`prod-eu` · payments/payments-api: runs it" in text
    assert "payments/payments-api-canary: unknown (image maps to no commit)" in text
    assert "owner `group:payments`" in text


def test_pr_in_review_by_short_names(delivery: Delivery) -> None:
    ws = delivery.serve()
    text = ws.text(ws.ask("pr payments-api#23"))
    assert "*In review*" in text and ":red_circle: checks failing" in text
    text = ws.text(ws.ask("pr globex/ledger!3"))
    assert "Ledger export" in text and ":large_green_circle: checks passing" in text
    text = ws.text(ws.ask("pr payments-api#99"))
    assert "globex/payments-api has no pull request #99" in text


# -- team page ---------------------------------------------------------------------------------
def test_the_team_page_and_home_show_waiting_pull_requests_and_what_is_behind(
    delivery: Delivery,
) -> None:
    ws = delivery.serve()
    assert "*Delivery*" not in ws.view_text(ws.open_home(ALICE))  # nothing asked yet
    ws.ask("prs payments-api")
    ws.ask("deploys payments-api")

    page = ws.text(ws.ask("team payments"))
    home = ws.view_text(ws.open_home(ALICE))

    for text in (page, home):
        assert (
            "*Delivery* · 2 pull requests waiting for review, 1 services behind in production"
            in text
        )
        assert "#24 Forgotten idea" in text and ":zzz: stale" in text
        assert "*payments-api*: production is 2 commits behind (#21, #22)" in text


# -- link previews -----------------------------------------------------------------------------
def _link_shared(ws: Workspace, *urls: str) -> None:
    event = {
        "type": "link_shared",
        "channel": "C0GENERAL",
        "user": ALICE,
        "message_ts": "1700000000.000100",
        "links": [{"domain": urlsplit(u).hostname, "url": u} for u in urls],
    }
    assert ws.post(ws.requests.event(event)).status_code == 200


def test_pasted_pull_request_and_entity_links_unfurl_with_their_owner(delivery: Delivery) -> None:
    ws = delivery.serve(preview_pull_requests=True)
    pr = f"{delivery.github.url}/globex/payments-api/pull/25"
    entity = f"{BACKSTAGE}/catalog/default/component/payments-api"
    foreign = f"{delivery.github.url}/someone/else/pull/1"

    _link_shared(ws, pr, entity, foreign, f"{BACKSTAGE}/catalog/default/component/ghost")

    [call] = ws.slack.wait_for("chat.unfurl")
    assert sorted(call.args["unfurls"]) == sorted([pr, entity])
    assert "#25 Approved fix" in ws.text(call.args["unfurls"][pr])
    assert "owner `group:payments`" in ws.text(call.args["unfurls"][pr])
    card = ws.text(call.args["unfurls"][entity])
    assert f"*Payments API ({entity})* `component:payments-api`" in card
    assert "Takes card payments." in card
    assert "owner *Payments team* `group:payments`" in card
