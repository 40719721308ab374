"""Boundary: the network in front of the web process. ``/metrics`` is read by this host
only, unless an operator gives it a token or an address of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.loopback.slack import LoopbackSlack
from catalog import ConfigError
from runtime.settings import load_settings
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
PROXIED = {"x-forwarded-for": "203.0.113.9"}


def test_metrics_are_refused_to_a_client_that_came_through_a_proxy(workspace: Workspace) -> None:
    assert workspace.http.get("/metrics").status_code == 200  # this host, directly
    refused = workspace.http.get("/metrics", headers=PROXIED)
    assert refused.status_code == 403
    assert "GREENROOM_METRICS_TOKEN" in refused.text
    assert "greenroom_slack" not in refused.text
    forwarded = workspace.http.get("/metrics", headers={"forwarded": "for=203.0.113.9"})
    assert forwarded.status_code == 403


def test_with_a_token_metrics_need_it_from_everyone(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom(environ={"GREENROOM_METRICS_TOKEN": "s3cret-scrape"})
    assert workspace.http.get("/metrics").status_code == 401
    wrong = workspace.http.get("/metrics", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "greenroom_slack" not in wrong.text
    right = workspace.http.get(
        "/metrics", headers={"authorization": "Bearer s3cret-scrape"} | PROXIED
    )
    assert right.status_code == 200 and "greenroom_slack_requests" in right.text


def test_the_metrics_token_is_refused_in_greenroom_yaml(tmp_path: Path) -> None:
    config = tmp_path / "greenroom.yaml"
    config.write_text("web:\n  metrics_token: s3cret\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="GREENROOM_METRICS_TOKEN"):
        load_settings(config, environ={})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_metrics_on_their_own_address_leave_the_main_port(
    database_url: str, slack_api: LoopbackSlack, tmp_path: Path
) -> None:
    port, metrics_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {
        "SLACK_BOT_TOKEN": slack_api.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "GREENROOM_SLACK__ANSWER_PROCESSES": "0",
        "GREENROOM_WEB__METRICS_LISTEN": f"127.0.0.1:{metrics_port}",
        "GREENROOM_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "bot.cli.main", "--database-url", database_url, "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=log.open("wb"), stderr=log.open("ab")
    )
    url, metrics_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(log.read_text())
            time.sleep(0.1)
        assert httpx.post(url + "/slack/events", content=b"{}", trust_env=False).status_code == 401

        assert httpx.get(url + "/metrics", trust_env=False).status_code == 404
        page = httpx.get(metrics_url + "/metrics", trust_env=False)
        assert page.status_code == 200
        samples = {
            (s.name, s.labels.get("kind"), s.labels.get("status")): s.value
            for family in text_string_to_metric_families(page.text)
            for s in family.samples
        }
        assert samples[("greenroom_slack_requests_total", "unsigned", "401")] == 1
    finally:
        server.kill()
        server.wait(10)
