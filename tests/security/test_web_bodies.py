"""Boundary: unauthenticated HTTP. No request makes the web process read or hold more than
1 MiB of body, on any route: a declared length over the limit is refused before the body is
read, a chunked body is cut off at the limit, and the 413 comes at once."""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from bot.loopback.slack import LoopbackSlack
from bot.web.app import MAX_BODY_BYTES
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
CHUNK = 64 * 1024
MiB = 1024 * 1024
OAUTH = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}
#: Headers that pass the cheap checks made before a body is read (present, fresh), with a
#: signature that cannot be right: what an attacker without the signing secret can send.
FORGED = {"x-slack-signature": "v0=" + "0" * 64}


@dataclass
class Outcome:
    """What a flooding client saw: the status (None: cut off without one), how long it took
    to get it, and how many body bytes it had sent by then."""

    status: int | None
    seconds: float
    sent: int


def _flood(
    url: str,
    path: str,
    *,
    total: int,
    method: str = "POST",
    declared: int | None = None,
    headers: dict[str, str] | None = None,
) -> Outcome:
    """Send ``total`` bytes of body in 64 KiB chunks (``Transfer-Encoding: chunked``, or
    under a ``Content-Length`` of ``declared``), stopping as soon as an answer arrives."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    if declared is None:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {declared}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    block = b"x" * CHUNK
    frame = block if declared is not None else f"{CHUNK:x}\r\n".encode() + block + b"\r\n"
    sent = 0
    with socket.create_connection((host, port), timeout=20) as sock:
        started = time.monotonic()
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        try:
            while sent < total and not select.select([sock], [], [], 0)[0]:
                sock.sendall(frame)
                sent += CHUNK
            if sent >= total and declared is None:
                sock.sendall(b"0\r\n\r\n")
            answer = sock.recv(4096)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            try:
                answer = sock.recv(4096)
            except OSError:
                answer = b""
        seconds = time.monotonic() - started
    status = int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else None
    return Outcome(status, seconds, sent)


def _fresh(headers: dict[str, str]) -> dict[str, str]:
    return {"x-slack-request-timestamp": str(int(time.time()))} | headers


# -- in-process server, every route -------------------------------------------------------
ROUTES = [
    ("POST", "/slack/events"),
    ("GET", "/slack/install"),
    ("GET", "/slack/oauth_redirect"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/docs/default/component/payments-api/index.html"),
    ("POST", "/docs/default/component/payments-api/index.html"),
    ("POST", "/nowhere"),
]


@pytest.fixture
def oauth_greenroom(serve_greenroom: Callable[..., Workspace]) -> Workspace:
    """greenroom in multi-workspace mode, where the install routes read their requests."""
    return serve_greenroom(environ=OAUTH)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_declared_length_over_the_limit_is_refused_before_any_body_is_sent(
    oauth_greenroom: Workspace, method: str, path: str
) -> None:
    outcome = _flood(
        oauth_greenroom.url,
        path,
        method=method,
        total=0,
        declared=800 * MiB,
        headers=_fresh(FORGED),
    )
    assert outcome.status == 413
    assert outcome.seconds < 2


#: Routes whose handlers read the request body (the others answer without reading it).
READING = [("POST", "/slack/events"), ("GET", "/slack/install"), ("GET", "/slack/oauth_redirect")]


@pytest.mark.parametrize(("method", "path"), READING)
def test_a_chunked_body_is_cut_off_at_the_limit(
    oauth_greenroom: Workspace, method: str, path: str
) -> None:
    outcome = _flood(
        oauth_greenroom.url, path, method=method, total=64 * MiB, headers=_fresh(FORGED)
    )
    assert outcome.status == 413
    # What sat in the sockets' buffers when the answer came, never the whole body.
    assert outcome.sent < 16 * MiB
    assert outcome.seconds < 5


def test_an_unsigned_request_is_refused_before_its_body_is_read(workspace: Workspace) -> None:
    outcome = _flood(workspace.url, "/slack/events", total=64 * MiB)
    assert outcome.status == 401
    assert outcome.sent < 16 * MiB


def test_bodies_up_to_the_limit_still_reach_the_signature_check(workspace: Workspace) -> None:
    request = workspace.requests.slash_command(
        "help", user_id="U0ALICE", response_url=workspace.slack.response_url("limit")
    )
    padding = b"&pad=" + b"x" * (MAX_BODY_BYTES - len(request.body) - 5)
    signed = workspace.requests.sign(
        request.body + padding, content_type="application/x-www-form-urlencoded"
    )
    assert len(signed.body) == MAX_BODY_BYTES
    assert workspace.post(signed).status_code == 200
    over = workspace.requests.sign(signed.body + b"x", content_type=signed.headers["content-type"])
    assert workspace.post(over).status_code == 413


# -- greenroom serve, memory measured ------------------------------------------------------
@pytest.fixture
def served(
    sqlite_template: Path, slack_api: LoopbackSlack, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``greenroom serve`` (answering in its web process) on an empty SQLite database."""
    database = tmp_path / "greenroom.db"
    shutil.copy(sqlite_template, database)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {
        "SLACK_BOT_TOKEN": slack_api.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.api_url,
        "GREENROOM_SLACK__ANSWER_PROCESSES": "0",
        "GREENROOM_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "bot.cli.main", "--database-url", f"sqlite:///{database}"]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port)]
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
    yield server, url
    server.kill()
    server.wait(10)


def _peak_rss(pid: int) -> int:
    """The process's peak resident memory (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_chunked_flood_leaves_the_server_memory_bounded_and_gets_413_at_once(
    served: tuple[subprocess.Popen[bytes], str],
) -> None:
    server, url = served
    before = _peak_rss(server.pid)

    outcome = _flood(url, "/slack/events", total=256 * MiB, headers=_fresh(FORGED))

    grew = _peak_rss(server.pid) - before
    assert outcome.status == 413
    assert outcome.seconds < 3
    assert grew < 32 * MiB, f"peak memory grew by {grew // MiB} MiB"
    assert httpx.get(url + "/healthz", trust_env=False).text == "ok"  # and it still serves
