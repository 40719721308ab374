"""``/greenroom k8s`` end to end: signed slash commands against ``greenroom serve`` for one
service spread over 5 clusters x 200 pods with one cluster hanging (ack, then the reply on the
response_url); and the time to post a sweep's alerts at Slack's pace.

The fake clusters run in a child process (bench/kubernetes_bench.py's), ``greenroom serve`` in
another, the loopback Slack and the senders here.

    .venv/bin/python bench/k8s_slack_bench.py [--requests 30] [--senders 1 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.kubernetes_bench import percentile, start_fakes  # noqa: E402
from bench.serving import serve_env, start_serving  # noqa: E402
from bot.loopback.kubernetes_api import write_kubeconfig  # noqa: E402
from bot.loopback.kubernetes_objects import ONE_SERVICE_CATALOG  # noqa: E402
from bot.loopback.signed_requests import SignedRequests  # noqa: E402
from bot.loopback.slack import LoopbackSlack  # noqa: E402
from catalog import parse_ref  # noqa: E402
from commands.k8s.alerts import SlackHealthNotifier, send_health_alerts  # noqa: E402
from integrations.kubernetes import (  # noqa: E402
    Change,
    Finding,
    HealthNotification,
    ObjectRef,
    Severity,
)
from slackkit.slack_client import retry_handlers  # noqa: E402

SECRET = "bench-signing-secret"


def write_config(folder: Path, urls: list[tuple[str, str]]) -> Path:
    (folder / "catalog").mkdir()
    (folder / "catalog" / "catalog-info.yaml").write_text(ONE_SERVICE_CATALOG)
    write_kubeconfig(folder / "kubeconfig.yaml", {f"c{i}": url for i, url in enumerate(urls)})
    clusters = [
        {
            "name": f"prod-{i}",
            "type": "kubeconfig",
            "kubeconfig": "kubeconfig.yaml",
            "context": f"c{i}",
        }
        for i in range(len(urls))
    ]
    config = {
        "database_url": "sqlite:///bench.db",
        "catalog": {"sources": [{"name": "bench", "type": "directory", "path": "catalog"}]},
        "kubernetes": {"clusters": clusters},
    }
    path = folder / "greenroom.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def start_server(config: Path, slack: LoopbackSlack) -> tuple[subprocess.Popen[bytes], str]:
    env = serve_env(slack, SECRET)
    cli = ["--config", str(config)]
    sync = [sys.executable, "-m", "bot.cli.main", *cli, "sync"]
    subprocess.run(sync, env=env, cwd=REPO, check=True, capture_output=True)
    port = 3800 + os.getpid() % 1000
    return start_serving(cli, [], env=env, cwd=REPO, log=config.parent / "serve.log", port=port)


def sender_client(base: str) -> httpx.Client:
    # uvicorn drops connections idle for 5 s; a sender waits ~2.5 s per answer
    limits = httpx.Limits(keepalive_expiry=2)
    return httpx.Client(base_url=base, timeout=30, trust_env=False, limits=limits)


def ask(client: httpx.Client, slack: LoopbackSlack, key: str) -> tuple[float, float, str]:
    """(ack seconds, reply seconds, reply text) for one ``/greenroom k8s payments-api``."""
    signer = SignedRequests(SECRET, team_id=slack.team_id)
    request = signer.slash_command(
        "k8s payments-api", user_id="U0BENCH", response_url=slack.response_url(key)
    )
    started = time.monotonic()
    status = client.post("/slack/events", content=request.body, headers=request.headers)
    ack = time.monotonic() - started if status.status_code == 200 else float("inf")
    call = slack.wait_for("response_url", key=key, timeout=30)[0]
    return ack, call.at - started, str(call.args.get("blocks"))


def measure(
    base: str, slack: LoopbackSlack, requests: int, senders: int
) -> list[tuple[float, float, str]]:
    """``requests`` questions from ``senders`` users asking one after another."""
    lock = threading.Lock()
    results: list[tuple[float, float, str]] = []
    keys = iter(range(requests))

    def sender(index: int) -> None:
        with sender_client(base) as client:
            for n in keys:
                result = ask(client, slack, f"s{senders}-{index}-{n}")
                with lock:
                    results.append(result)

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(sender, range(senders)))
    return results


def bench_command(requests: int, senders: list[int]) -> None:
    child, pipe, urls = start_fakes("answer")
    try:
        with tempfile.TemporaryDirectory() as tmp, LoopbackSlack() as slack:
            slack.add_user("U0BENCH", email="bench@example.com")
            server, base = start_server(write_config(Path(tmp), urls), slack)
            try:
                with sender_client(base) as client:
                    first = ask(client, slack, "first")
                print(
                    f"first question after start: ack {first[0] * 1000:.0f} ms, "
                    f"reply {first[1]:.2f} s",
                    flush=True,
                )
                print(
                    "\n| senders | requests | ack p50 / max | reply p50 / p99 / max | "
                    "hanging cluster named |\n|---|---|---|---|---|---|"
                )
                for count in senders:
                    results = measure(base, slack, requests, count)
                    acks = [r[0] for r in results]
                    replies = [r[1] for r in results]
                    named = sum(
                        "prod-4* did not answer: timed out after 2.5 s" in r[2] for r in results
                    )
                    print(
                        f"| {count} | {len(results)} | {statistics.median(acks) * 1000:.0f} ms / "
                        f"{max(acks) * 1000:.0f} ms | {statistics.median(replies):.2f} s / "
                        f"{percentile(replies, 99):.2f} s / {max(replies):.2f} s | "
                        f"{named} of {len(results)} |",
                        flush=True,
                    )
            finally:
                server.terminate()
                server.wait(30)
    finally:
        pipe.send("stop")
        child.join(5)


def bench_alerts(teams: int, services: int) -> None:
    """A sweep that found ``services`` broken services (2 problems each) in ``teams`` teams."""
    notes = []
    for i in range(services):
        entity = parse_ref(f"component:svc-{i:03d}")
        for rule in ("container-waiting", "replicas-unavailable"):
            finding = Finding(
                rule,
                Severity.CRITICAL,
                ObjectRef("prod-0", "default", "Deployment", entity.name),
                f"{rule} on {entity.name}",
                "Kubernetes says: back-off 5m0s",
                "Read the logs.",
            )
            notes.append(
                HealthNotification(
                    Change.NEW, entity, None, f"#team-{i % teams}", finding, datetime.now(UTC)
                )
            )
    with LoopbackSlack() as slack:
        from slack_sdk import WebClient

        client = WebClient(
            token=slack.bot_token, base_url=slack.api_url, retry_handlers=retry_handlers()
        )
        started = time.perf_counter()
        failed = send_health_alerts(SlackHealthNotifier(client), notes)
        seconds = time.perf_counter() - started
        messages = len(slack.calls("chat.postMessage"))
    print(
        f"| {services} services, {len(notes)} notifications, {teams} channels | {messages} | "
        f"{seconds:.1f} s | {len(failed)} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()
    bench_command(args.requests, args.senders)
    print("\n| sweep found | messages | time to post | failed |\n|---|---|---|---|")
    bench_alerts(teams=1, services=3)
    bench_alerts(teams=5, services=50)


if __name__ == "__main__":
    main()
