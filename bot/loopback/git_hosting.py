"""A fake git host on 127.0.0.1 (random port): a JSON REST API whose routes the GitHub and
GitLab fakes add, plus git's smart HTTP protocol served by the real ``git http-backend`` over
local bare repositories, so clones and pushes really happen and really check the token.

Everything a test may want to assert is kept: every API call (method, path, query, JSON body,
headers), and the bare repositories on disk. Faults are injected per method + path pattern.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

GIT_PATH = re.compile(
    r"^/(?P<repo>.+?\.git)(?P<rest>/info/refs|/git-upload-pack|/git-receive-pack)$"
)
CLEAN_GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}


@dataclass
class Call:
    """One API request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    headers: dict[str, str]


@dataclass
class Fault:
    """An answer given instead of the real one, ``times`` times."""

    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int


@dataclass
class Reply:
    """What a route answers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[re.Match[str], Call], Reply]


class FakeGitHost:
    """The server, its call log, its faults and its bare repositories."""

    api_prefix = ""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repos_dir = root / "repos"
        self.repos_dir.mkdir(parents=True, exist_ok=True)
        self.calls: list[Call] = []
        self.git_requests: list[tuple[str, str, str | None]] = []  # (service, repo, user)
        self.faults: list[Fault] = []
        self.reject_pushes = False
        self.public_repos: set[str] = set()
        #: each API answer waits a random time in this range (seconds): a host far away
        self.latency: tuple[float, float] = (0.0, 0.0)
        #: answers of git about history, until the next commit or tag (benchmarks ask a lot)
        self._history: dict[tuple[str, ...], Any] = {}
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> FakeGitHost:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + self.api_prefix

    # overridden by the platform fakes --------------------------------------------------------
    def authenticate(self, headers: dict[str, str]) -> str | None:
        """The user a request's API token belongs to, or None."""
        raise NotImplementedError

    def token_user(self, token: str) -> str | None:
        raise NotImplementedError

    def unauthorized(self) -> Reply:
        raise NotImplementedError

    def api_headers(self) -> dict[str, str]:
        return {}

    # test controls ---------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Route) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` + ``path`` (a regex on the
        path after the API prefix) with this status, body and headers."""
        self.faults.append(
            Fault(method, re.compile(f"^{path}$"), status, body, headers or {}, times)
        )

    def api_calls(self, method: str | None = None) -> list[tuple[str, str]]:
        return [(c.method, c.path) for c in self.calls if method in (None, c.method)]

    def bare_repo(self, full_path: str) -> Path:
        return self.repos_dir / f"{full_path}.git"

    def create_bare(self, full_path: str) -> Path:
        """A new empty bare repository (with a refusing pre-receive hook if asked)."""
        path = self.bare_repo(full_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        _git("init", "-q", "--bare", "--initial-branch=main", str(path))
        _git("--git-dir", str(path), "config", "http.receivepack", "true")
        if self.reject_pushes:
            hook = path / "hooks" / "pre-receive"
            hook.write_text("#!/bin/sh\necho 'push declined by repository policy' >&2\nexit 1\n")
            hook.chmod(0o755)
        return path

    def commit(self, full_path: str, files: dict[str, str], *, message: str = "change") -> str:
        """Commit ``files`` on top of main of a bare repository (created if needed)."""
        self._history.clear()
        bare = self.bare_repo(full_path)
        if not bare.is_dir():
            self.create_bare(full_path)
        with tempfile.TemporaryDirectory() as work:
            _git("clone", "-q", str(bare), work)
            for name, text in files.items():
                target = Path(work) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
            _git("-C", work, "add", "--all")
            _git(
                "-C",
                work,
                "-c",
                "user.name=Seeder",
                "-c",
                "user.email=seed@example.com",
                "commit",
                "-q",
                "-m",
                message,
            )
            _git("-C", work, "push", "-q", "origin", "HEAD:refs/heads/main")
            return _git("-C", work, "rev-parse", "HEAD").strip()

    def files(self, full_path: str, ref: str = "main") -> dict[str, str]:
        """Every file of ``ref`` in a bare repository, with its text."""
        git_dir = str(self.bare_repo(full_path))
        names = _git("--git-dir", git_dir, "ls-tree", "-r", "--name-only", ref).split()
        return {n: _git("--git-dir", git_dir, "show", f"{ref}:{n}") for n in names}

    def log(self, full_path: str, ref: str = "main") -> list[str]:
        """``author name <email> | subject`` per commit of ``ref``."""
        out = _git(
            "--git-dir", str(self.bare_repo(full_path)), "log", "--format=%an <%ae> | %s", ref
        )
        return out.splitlines()

    # reading history (the delivery routes: compare, commits, merge bases) --------------------
    def rev_parse(self, full_path: str, ref: str) -> str | None:
        """The commit a branch, tag or (abbreviated) sha names, or None."""
        key = ("rev-parse", full_path, ref)
        if key not in self._history:
            self._history[key] = self._rev_parse(full_path, ref)
        result: str | None = self._history[key]
        return result

    def _rev_parse(self, full_path: str, ref: str) -> str | None:
        bare = self.bare_repo(full_path)
        if not bare.is_dir() or ref.startswith("-"):
            return None
        done = subprocess.run(
            ["git", "--git-dir", str(bare), "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"],
            env=CLEAN_GIT_ENV | {"HOME": tempfile.gettempdir()},
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or None if done.returncode == 0 else None

    def commits_between(self, full_path: str, base: str, head: str) -> list[dict[str, str]]:
        """The commits reachable from ``head`` but not ``base``, oldest first: sha, author
        name, email, ISO date and the full message."""
        return self._log(full_path, "--reverse", f"{base}..{head}")

    def commit_info(self, full_path: str, sha: str) -> dict[str, str]:
        """One commit, in the shape of ``commits_between``."""
        return self._log(full_path, "-1", sha)[0]

    def _log(self, full_path: str, *args: str) -> list[dict[str, str]]:
        key = ("log", full_path, *args)
        if key not in self._history:
            self._history[key] = self._read_log(full_path, *args)
        return list(self._history[key])

    def _read_log(self, full_path: str, *args: str) -> list[dict[str, str]]:
        out = _git(
            "--git-dir",
            str(self.bare_repo(full_path)),
            "log",
            "-z",
            "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B",
            *args,
        )
        commits = []
        for record in filter(None, out.split("\0")):
            sha, name, email, date, message = record.strip("\n").split("\x1f", 4)
            commits.append(
                {"sha": sha, "name": name, "email": email, "date": date, "message": message}
            )
        return commits

    def merge_base(self, full_path: str, one: str, other: str) -> str | None:
        """The best common ancestor of two commits."""
        key = ("merge-base", full_path, one, other)
        if key not in self._history:
            self._history[key] = self._merge_base(full_path, one, other)
        result: str | None = self._history[key]
        return result

    def _merge_base(self, full_path: str, one: str, other: str) -> str | None:
        try:
            out = _git("--git-dir", str(self.bare_repo(full_path)), "merge-base", one, other)
        except subprocess.CalledProcessError:
            return None
        return out.strip() or None

    def forget_history(self) -> None:
        """Drop what git said about history (after changing repositories behind its back)."""
        self._history.clear()

    def tag(self, full_path: str, name: str, sha: str) -> None:
        """A lightweight tag ``name`` on ``sha`` (an image version tag's source, say)."""
        self._history.clear()
        _git("--git-dir", str(self.bare_repo(full_path)), "update-ref", f"refs/tags/{name}", sha)

    # request handling ------------------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        body = _read_body(request)
        git = GIT_PATH.match(unquote(parts.path))
        if git:
            self._serve_git(request, git["repo"], git["rest"], parts.query, body)
            return
        if not parts.path.startswith(self.api_prefix + "/"):
            _send(request, Reply(404, {"message": "Not Found"}))
            return
        path = parts.path[len(self.api_prefix) :]
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            _send(request, Reply(400, {"message": "Problems parsing JSON"}))
            return
        headers = {k.lower(): v for k, v in request.headers.items()}
        call = Call(request.command, path, parse_qs(parts.query), payload, headers)
        if self.latency[1] > 0:
            time.sleep(random.uniform(*self.latency))
        with self._lock:
            self.calls.append(call)
            reply = self._fault_for(call) or self._dispatch(call)
        reply.headers = self.api_headers() | reply.headers
        _send(request, reply)

    def _fault_for(self, call: Call) -> Reply | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == call.method and fault.path.match(call.path):
                fault.times -= 1
                return Reply(fault.status, fault.body, dict(fault.headers))
        return None

    def _dispatch(self, call: Call) -> Reply:
        if self.authenticate(call.headers) is None:
            return self.unauthorized()
        for method, pattern, handler in self._routes:
            match = pattern.match(call.path)
            if match and method == call.method:
                return handler(match, call)
        return Reply(404, {"message": "Not Found"})

    def _serve_git(
        self, request: BaseHTTPRequestHandler, repo: str, rest: str, query: str, body: bytes
    ) -> None:
        service = "git-receive-pack" if "receive-pack" in (rest + query) else "git-upload-pack"
        if service == "git-receive-pack":
            self._history.clear()  # a push changes history
        user = _basic_user(request.headers.get("Authorization"), self.token_user)
        full_path = repo.removesuffix(".git")
        self.git_requests.append((service, full_path, user))
        public = full_path in self.public_repos and service == "git-upload-pack"
        if user is None and not public:
            reply = Reply(401, b"", {"WWW-Authenticate": 'Basic realm="fake git"'})
            _send(request, reply)
            return
        if not self.bare_repo(full_path).is_dir():
            _send(request, Reply(404, b"Repository not found"))
            return
        env = CLEAN_GIT_ENV | {
            "GIT_PROJECT_ROOT": str(self.repos_dir),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{repo}{rest}",
            "QUERY_STRING": query,
            "REQUEST_METHOD": request.command,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user or "",
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": request.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": request.headers.get("Content-Encoding", ""),
            "HOME": str(self.root),
        }
        done = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
        )
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers[name] = value.strip()
        _send(request, Reply(status, payload, headers))


def _handler_for(fake: FakeGitHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: without TCP_NODELAY the body waits for
        # the client's delayed ACK (40 ms a request on a kept-alive connection)
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            fake.handle(self)

        do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    return Handler


def _read_body(request: BaseHTTPRequestHandler) -> bytes:
    if request.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(request.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                request.rfile.readline()
                return b"".join(chunks)
            chunks.append(request.rfile.read(size))
            request.rfile.readline()
    length = int(request.headers.get("Content-Length") or 0)
    return request.rfile.read(length) if length else b""


def _send(request: BaseHTTPRequestHandler, reply: Reply) -> None:
    if isinstance(reply.body, bytes):
        data = reply.body
    elif reply.body is None:
        data = b""
    else:
        data = json.dumps(reply.body).encode()
        reply.headers.setdefault("Content-Type", "application/json; charset=utf-8")
    request.send_response(reply.status)
    for name, value in reply.headers.items():
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def _basic_user(header: str | None, token_user: Callable[[str], str | None]) -> str | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        _, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return token_user(password)


def _git(*args: str) -> str:
    env = CLEAN_GIT_ENV | {"HOME": tempfile.gettempdir()}
    return subprocess.run(
        ["git", *args], env=env, check=True, capture_output=True, text=True
    ).stdout
