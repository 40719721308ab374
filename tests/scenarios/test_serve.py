"""``greenroom serve`` as the process a platform team runs: uvicorn, the answer pool, metrics."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot.loopback.signed_requests import SignedRequest, SignedRequests
from bot.loopback.slack import LoopbackSlack
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import Sent, Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_serve(
    database_url: str, slack_api: LoopbackSlack, acme: None, tmp_path: Path
) -> Iterator[Callable[..., tuple[subprocess.Popen[bytes], Workspace]]]:
    """Start ``greenroom serve`` on the ACME catalog with two answering processes (``env``:
    more environment variables); it is killed at the end if still running."""
    started: list[tuple[subprocess.Popen[bytes], Workspace]] = []

    def start(**env: str) -> tuple[subprocess.Popen[bytes], Workspace]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        environ = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {
            "SLACK_BOT_TOKEN": slack_api.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api.api_url,
            "GREENROOM_SLACK__RESPONSE_URL_ORIGINS": f'["{slack_api.url}"]',
            "GREENROOM_SLACK__ANSWER_PROCESSES": "2",
            "GREENROOM_DATA_DIR": str(tmp_path / "data"),
            "TMPDIR": str(tmp_path),
            **env,
        }
        environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        command = [sys.executable, "-m", "bot.cli.main", "--database-url", database_url, "serve"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        log = (tmp_path / "serve.log").open("wb")
        server = subprocess.Popen(command, env=environ, cwd=REPO, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail((tmp_path / "serve.log").read_text())
            time.sleep(0.1)
        requests = SignedRequests(SIGNING_SECRET, team_id=slack_api.team_id)
        workspace = Workspace(url, slack_api, requests, "/greenroom")
        started.append((server, workspace))
        return server, workspace

    yield start
    for server, workspace in started:
        workspace.close()
        if server.poll() is None:
            server.kill()
            server.wait(10)


@pytest.fixture
def served(
    start_serve: Callable[..., tuple[subprocess.Popen[bytes], Workspace]],
) -> tuple[subprocess.Popen[bytes], Workspace]:
    """``greenroom serve`` as it starts by default."""
    return start_serve()


def test_serve_answers_in_its_pool_and_metrics_count_every_process(
    served: tuple[subprocess.Popen[bytes], Workspace], tmp_path: Path
) -> None:
    server, workspace = served
    sent = workspace.command("owner payments-api")
    assert (sent.response.status_code, sent.response.text) == (200, "")
    assert "Payments team" in workspace.text(workspace.reply(sent))
    assert workspace.post(sent.request).status_code == 200  # Slack delivers it again

    # Acks are counted by the web process, answers and duplicates by the answering processes.
    workspace.wait_metric("greenroom_slack_duplicates_total", 1)
    assert workspace.metric("greenroom_slack_requests_total", kind="command", status="200") == 2
    assert workspace.metric("greenroom_slack_replies_total", command="owner", outcome="ok") == 1
    assert len(workspace.replies_to(sent)) == 1

    server.send_signal(signal.SIGTERM)
    assert server.wait(30) == -signal.SIGTERM  # uvicorn shuts down, then re-raises the signal
    assert "Application shutdown complete" in (tmp_path / "serve.log").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("greenroom-")] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_with_json_logs_a_command_is_one_json_record_with_ids_and_no_secret(
    start_serve: Callable[..., tuple[subprocess.Popen[bytes], Workspace]],
    slack_api: LoopbackSlack,
    tmp_path: Path,
) -> None:
    server, workspace = start_serve(GREENROOM_LOG_FORMAT="json")
    hook = "T0LOOP/B0HOOK/sEcReTpArToFtHeUrL"  # a response_url's path is itself a secret
    request = workspace.requests.slash_command(
        "owner payments-api", user_id="U0ALICE", response_url=slack_api.response_url(hook)
    )
    traced = SignedRequest(request.body, request.headers | {"x-request-id": "ingress-4711"}, {})
    sent = Sent(traced, workspace.post(traced), 0.0, hook)
    assert "Payments team" in workspace.text(workspace.reply(sent))
    server.send_signal(signal.SIGTERM)
    server.wait(30)

    log = (tmp_path / "serve.log").read_text()
    records = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line
    [answered] = [r for r in records if r["logger"] == "greenroom.requests"]
    assert answered["request_id"] == "ingress-4711"
    assert (answered["team_id"], answered["user_id"]) == (slack_api.team_id, "U0ALICE")
    assert (answered["command"], answered["outcome"], answered["delivered"]) == (
        "owner",
        "ok",
        True,
    )
    assert 0 <= answered["latency_ms"] < 30_000
    assert answered["message"].startswith("answered owner: ok in ")
    assert {"time", "level", "component", "process"} <= set(answered)
    assert answered["component"] == "answers"
    assert {r["component"] for r in records} >= {"web", "answers"}  # uvicorn's records too
    for secret in (slack_api.bot_token, SIGNING_SECRET, hook, "deprecated-verification-token"):
        assert secret not in log
