"""Day-2 actions end to end against ``greenroom serve`` (its own process, SQLite): a click on
a k8s answer's *Restart* button to the confirmation modal (``views.open`` loading, then
``views.update`` with the preview), and a restart from the confirmation to its verified
outcome, against a fake cluster whose rollout takes ``--rollout`` seconds.

The fake cluster and the loopback Slack run in this process, the senders too.

    .venv/bin/python bench/actions_bench.py [--clicks 200] [--restarts 10] [--rollout 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.kubernetes_bench import percentile  # noqa: E402
from bench.serving import serve_env, start_serving  # noqa: E402
from bot.loopback import kubernetes_objects as k  # noqa: E402
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig  # noqa: E402
from bot.loopback.signed_requests import SignedRequests  # noqa: E402
from bot.loopback.slack import LoopbackSlack  # noqa: E402
from commands.actions.blocks import CONFIRM_CALLBACK, OPEN_ACTION, state_value  # noqa: E402
from integrations.actions import Target  # noqa: E402

SECRET = "bench-signing-secret"
USER = "U0BENCH"
CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, annotations: {slack.com/channel: C0PAYMENTS}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bench}
spec: {profile: {email: bench@example.com}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-api, annotations: {backstage.io/kubernetes-id: payments-api}}
spec: {type: service, lifecycle: production, owner: payments}
"""
TARGET = Target("Deployment", "payments-api", "prod", "payments")


def write_config(folder: Path, api: FakeKubernetesApi) -> Path:
    (folder / "catalog").mkdir()
    (folder / "catalog" / "catalog-info.yaml").write_text(CATALOG)
    write_kubeconfig(folder / "kubeconfig.yaml", {"prod": (api.url, api.token)})
    config = {
        "database_url": "sqlite:///bench.db",
        "catalog": {
            "sources": [
                {
                    "name": "bench",
                    "type": "directory",
                    "path": "catalog",
                    "rules": [{"allow": ["User", "Group"]}],
                }
            ]
        },
        "kubernetes": {
            "clusters": [
                {
                    "name": "prod",
                    "type": "kubeconfig",
                    "kubeconfig": "kubeconfig.yaml",
                    "context": "prod",
                }
            ]
        },
        "actions": {"cooldown_seconds": 0, "rate_limit": 100000, "verify_timeout_seconds": 60},
    }
    path = folder / "greenroom.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def confirm_views(slack: LoopbackSlack) -> list[tuple[str, float, dict]]:
    return [
        (str(c.args.get("view_id")), c.at, dict(c.args["view"]))
        for c in slack.calls("views.update")
        if (c.args.get("view") or {}).get("callback_id") == CONFIRM_CALLBACK
    ]


def click(client: httpx.Client, slack: LoopbackSlack, signer: SignedRequests) -> float:
    """Seconds from the click to the confirmation modal."""
    before = len(confirm_views(slack))
    value = state_value("restart", "component:default/payments-api", TARGET, {})
    action = {
        "action_id": OPEN_ACTION,
        "block_id": "greenroom.actions.findings",
        "text": {"type": "plain_text", "text": "Restart payments-api"},
        "value": value,
    }
    request = signer.block_actions([action], user_id=USER, response_url=slack.response_url("b"))
    started = time.monotonic()
    assert client.post("/slack/events", content=request.body, headers=request.headers).is_success
    deadline = started + 30
    while len(confirm_views(slack)) <= before:
        if time.monotonic() > deadline:
            raise SystemExit("no confirmation modal within 30 s")
        time.sleep(0.002)
    return confirm_views(slack)[before][1] - started


def restart(
    client: httpx.Client, slack: LoopbackSlack, signer: SignedRequests
) -> tuple[float, str]:
    """Seconds from confirming to the outcome message, and the outcome."""
    click(client, slack, signer)
    view_id, _, view = confirm_views(slack)[-1]
    before = len([c for c in slack.calls("chat.postMessage") if c.args.get("channel") == USER])
    request = signer.view_submission(view | {"id": view_id}, user_id=USER)
    started = time.monotonic()
    assert client.post("/slack/events", content=request.body, headers=request.headers).is_success
    deadline = started + 90
    while True:
        told = [c for c in slack.calls("chat.postMessage") if c.args.get("channel") == USER]
        if len(told) > before:
            return told[before].at - started, str(told[before].args.get("text"))
        if time.monotonic() > deadline:
            raise SystemExit("no outcome within 90 s")
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--rollout", type=float, default=2.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        LoopbackSlack() as slack,
        FakeKubernetesApi(rollout_seconds=args.rollout) as api,
    ):
        api.add(*k.healthy_service("payments-api"))
        slack.add_user(USER, email="bench@example.com")
        config = write_config(Path(tmp), api)
        env = serve_env(slack, SECRET)
        cli = ["--config", str(config)]
        subprocess.run(
            [sys.executable, "-m", "bot.cli.main", *cli, "sync"],
            env=env,
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        port = 3900 + os.getpid() % 1000
        server, base = start_serving(
            cli, [], env=env, cwd=REPO, log=Path(tmp) / "serve.log", port=port
        )
        signer = SignedRequests(SECRET, team_id=slack.team_id)
        try:
            with httpx.Client(base_url=base, timeout=30, trust_env=False) as client:
                first = click(client, slack, signer)
                clicks = [click(client, slack, signer) for _ in range(args.clicks)]
                print(f"first click after start: {first * 1000:.0f} ms")
                print("\n| clicks | p50 | p99 | max |\n|---|---|---|---|")
                print(
                    f"| {len(clicks)} | {statistics.median(clicks) * 1000:.0f} ms | "
                    f"{percentile(clicks, 99) * 1000:.0f} ms | {max(clicks) * 1000:.0f} ms |"
                )
                results = [restart(client, slack, signer) for _ in range(args.restarts)]
                took = [r[0] for r in results]
                verified = sum("The restart finished" in r[1] for r in results)
                over = [t - args.rollout for t in took]
                print(
                    "\n| rollout | restarts | confirm to outcome p50 / max | over the rollout "
                    "p50 / max | verified |\n|---|---|---|---|---|"
                )
                print(
                    f"| {args.rollout:.1f} s | {len(took)} | {statistics.median(took):.2f} s / "
                    f"{max(took):.2f} s | {statistics.median(over):.2f} s / {max(over):.2f} s | "
                    f"{verified} of {len(took)} |"
                )
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
