"""``/greenroom deploys`` end to end: signed slash commands against ``greenroom serve`` for one
service whose GitHub repository has 4 environments (5 deployments each, the last successful one
a few commits behind main) and 2 clusters running it, with the loopback GitHub and Kubernetes
answering every request 10-50 ms late. Every question is read afresh (``fresh_seconds: 0``):
nothing comes from the last good answers. The loopback GitHub and clusters run in a child
process, ``greenroom serve`` in another, the loopback Slack and the senders here.

    .venv/bin/python bench/delivery_bench.py [--requests 40] [--senders 1 5]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.kubernetes_bench import percentile  # noqa: E402
from bench.serving import serve_env, start_serving  # noqa: E402
from bot.loopback import kubernetes_objects as k  # noqa: E402
from bot.loopback.github_api import FakeGitHub  # noqa: E402
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig  # noqa: E402
from bot.loopback.signed_requests import SignedRequests  # noqa: E402
from bot.loopback.slack import LoopbackSlack  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "ghp_fake_token_0123456789"
SLUG = "globex/payments-api"
CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations:
    github.com/project-slug: globex/payments-api
    backstage.io/kubernetes-id: payments-api
    backstage.io/kubernetes-namespace: payments
spec: {type: service, lifecycle: production, owner: payments}
"""


def seed(github: FakeGitHub) -> list[str]:
    """40 commits on main; 4 environments with 5 deployments each."""
    commits = [github.seed_repository(SLUG, {"README.md": "# payments\n"})]
    for n in range(1, 40):
        message = f"Change {n} (#{100 + n})"
        commits.append(github.commit(SLUG, {f"c{n}.txt": message}, message=message))
    now = datetime.now(UTC)
    for e, environment in enumerate(("production", "staging", "qa", "sandbox")):
        for d in range(5):
            sha = commits[20 + e * 4 + d]
            states = ("in_progress", "success") if d < 4 else ("in_progress", "failure")
            created = now - timedelta(hours=24 - e * 4 - d)
            github.delivery.add_deployment(
                SLUG,
                sha=sha,
                environment=environment,
                creator="bot",
                created=created,
                states=states,
            )
    return commits


def write_config(folder: Path, github_url: str, clusters: list[tuple[str, str]]) -> Path:
    (folder / "catalog").mkdir()
    (folder / "catalog" / "catalog-info.yaml").write_text(CATALOG)
    contexts = {f"c{i}": cluster for i, cluster in enumerate(clusters)}
    write_kubeconfig(folder / "kubeconfig.yaml", contexts)
    config = {
        "database_url": "sqlite:///bench.db",
        "catalog": {"sources": [{"name": "bench", "type": "directory", "path": "catalog"}]},
        "repositories": {"hosts": [{"url": github_url, "type": "github", "token_env": "GH_READ"}]},
        "kubernetes": {
            "clusters": [
                {
                    "name": f"prod-{i}",
                    "type": "kubeconfig",
                    "kubeconfig": "kubeconfig.yaml",
                    "context": f"c{i}",
                }
                for i in range(len(clusters))
            ]
        },
        "delivery": {"fresh_seconds": 0},
    }
    path = folder / "greenroom.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def ask(client: httpx.Client, slack: LoopbackSlack, key: str) -> tuple[float, float, str]:
    """(ack seconds, reply seconds, reply text) for one ``/greenroom deploys payments-api``."""
    signer = SignedRequests(SECRET, team_id=slack.team_id)
    request = signer.slash_command(
        "deploys payments-api", user_id="U0BENCH", response_url=slack.response_url(key)
    )
    started = time.monotonic()
    status = client.post("/slack/events", content=request.body, headers=request.headers)
    ack = time.monotonic() - started if status.status_code == 200 else float("inf")
    call = slack.wait_for("response_url", key=key, timeout=30)[0]
    return ack, call.at - started, str(call.args.get("blocks"))


def measure(
    base: str, slack: LoopbackSlack, requests: int, senders: int
) -> list[tuple[float, float, str]]:
    lock = threading.Lock()
    results: list[tuple[float, float, str]] = []
    keys = iter(range(requests))

    def sender(index: int) -> None:
        with httpx.Client(base_url=base, timeout=30, trust_env=False) as client:
            for n in keys:
                result = ask(client, slack, f"s{senders}-{index}-{n}")
                with lock:
                    results.append(result)

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(sender, range(senders)))
    return results


def serve_fakes(folder: str, pipe: Any) -> None:
    """The child process: GitHub and two clusters, answering 10-50 ms late, until told."""
    github = FakeGitHub(Path(folder) / "github")
    with github:
        commits = seed(github)
        github.latency = (0.010, 0.050)
        clusters = []
        for i in range(2):
            api = FakeKubernetesApi().start()
            image = f"registry.acme.example/payments-api:sha-{commits[30 + i][:7]}"
            api.add(*k.healthy_service("payments-api"))
            worker = k.deployment(
                "payments-api-worker", labels={k.KUBE_ID: "payments-api"}, image=image
            )
            api.add(worker)
            api.slow(0.05)
            clusters.append(api)
        pipe.send((github.url, [(api.url, api.token) for api in clusters]))
        while pipe.recv() != "stop":
            pipe.send(len(github.calls))
        for api in clusters:
            api.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = mp.Pipe()
        child = mp.get_context("spawn").Process(target=serve_fakes, args=(tmp, theirs), daemon=True)
        child.start()
        github_url, clusters = ours.recv()
        try:
            with LoopbackSlack() as slack:
                slack.add_user("U0BENCH", email="bench@example.com")
                run(args, Path(tmp), slack, github_url, clusters, ours)
        finally:
            ours.send("stop")
            child.join(10)


def run(
    args: argparse.Namespace,
    folder: Path,
    slack: LoopbackSlack,
    github_url: str,
    clusters: list[tuple[str, str]],
    pipe: Any,
) -> None:
    env = serve_env(slack, SECRET, GH_READ=TOKEN)
    config = write_config(folder, github_url, clusters)
    cli = ["--config", str(config)]
    sync = [sys.executable, "-m", "bot.cli.main", *cli, "sync"]
    subprocess.run(sync, env=env, cwd=REPO, check=True, capture_output=True)
    port = 3900 + os.getpid() % 1000
    server, base = start_serving(cli, [], env=env, cwd=REPO, log=folder / "serve.log", port=port)
    try:
        with httpx.Client(base_url=base, timeout=30, trust_env=False) as client:
            first = ask(client, slack, "first")
            pipe.send("count")
            before = pipe.recv()
            ask(client, slack, "count")
            pipe.send("count")
            per_answer = pipe.recv() - before
        print(
            f"first question after start: ack {first[0] * 1000:.0f} ms, reply "
            f"{first[1]:.2f} s; GitHub calls per answer: {per_answer}",
            flush=True,
        )
        assert "production is 16 commits behind" in first[2], first[2][:2000]
        print(
            "\n| senders | requests | ack p50 / max | reply p50 / p99 / max |\n|---|---|---|---|",
            flush=True,
        )
        for count in args.senders:
            results = measure(base, slack, args.requests, count)
            acks = [r[0] for r in results]
            replies = [r[1] for r in results]
            print(
                f"| {count} | {len(results)} | {statistics.median(acks) * 1000:.0f} ms / "
                f"{max(acks) * 1000:.0f} ms | {statistics.median(replies):.2f} s / "
                f"{percentile(replies, 99):.2f} s / {max(replies):.2f} s |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
