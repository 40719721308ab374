"""``greenroom serve`` as the process a platform team runs: uvicorn, the answer pool, metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.loopback.slack import LoopbackSlack
from bot.signed_requests import SignedRequests
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(
    database_url: str, slack_api: LoopbackSlack, acme: None, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], Workspace]]:
    """``greenroom serve`` on the ACME catalog with two answering processes."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {
        "SLACK_BOT_TOKEN": slack_api.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "GREENROOM_SLACK__RESPONSE_URL_ORIGINS": f'["{slack_api.url}"]',
        "GREENROOM_SLACK__ANSWER_PROCESSES": "2",
        "GREENROOM_DATA_DIR": str(tmp_path / "data"),
        "TMPDIR": str(tmp_path),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "bot.cli.main", "--database-url", database_url, "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=log)
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
    workspace = Workspace(
        url, slack_api, SignedRequests(SIGNING_SECRET, team_id=slack_api.team_id), "/greenroom"
    )
    yield server, workspace
    workspace.close()
    if server.poll() is None:
        server.kill()
        server.wait(10)


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
