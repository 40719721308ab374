"""``greenroom serve`` as its own process for the Slack benchmarks: the environment that points
it at the loopback Slack, and waiting until it answers ``/readyz``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.loopback.slack import LoopbackSlack

_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")


def serve_env(slack: LoopbackSlack, signing_secret: str, **extra: str) -> dict[str, str]:
    """This process's environment, talking to ``slack`` and never through a proxy."""
    env = os.environ | {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": slack.api_url,
        "GREENROOM_SLACK__RESPONSE_URL_ORIGINS": f'["{slack.url}"]',
        **extra,
    }
    for proxy in _PROXIES:
        env.pop(proxy, None)
    return env


def start_serving(
    cli: list[str], serve_args: list[str], *, env: dict[str, str], cwd: Path, log: Path, port: int
) -> tuple[subprocess.Popen[bytes], str]:
    """``greenroom <cli> serve <serve_args>`` on 127.0.0.1:``port``, once it is ready."""
    command = [sys.executable, "-m", "bot.cli.main", *cli, "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), *serve_args]
    output = log.open("wb")
    server = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("greenroom serve did not start")
