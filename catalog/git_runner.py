"""The one way greenroom runs git: catalog git sources, the repository clone cache and publishing
a scaffolded repository all go through :class:`GitRunner`.

Every run gets the same hardening, whoever asks:

- no system or user configuration (``GIT_CONFIG_NOSYSTEM``, ``GIT_CONFIG_GLOBAL=/dev/null``)
  and a private ``HOME``, so a run is the same on every machine;
- no hooks (``core.hooksPath=/dev/null``), no credential helpers, no prompts
  (``GIT_TERMINAL_PROMPT=0``, ``GIT_ASKPASS=true``), no commit signing;
- only the protocols the caller allows (``GIT_ALLOW_PROTOCOL``; ``file`` only where a local
  repository is the point);
- credentials as ``http.<host>/.extraHeader`` pairs in the environment, scoped to their host:
  never in argv, a remote URL, ``.git/config``, a log line or an error message;
- a time limit, after which git is stopped.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

__all__ = ["GitCredential", "GitFailed", "GitResult", "GitRunner", "web_root"]

#: Environment a caller may pass through for SSH remotes (``git@host:org/repo.git``).
_SSH_PASSTHROUGH = ("SSH_AUTH_SOCK", "GIT_SSH_COMMAND")


class GitFailed(RuntimeError):
    """A git command failed; ``reason`` is git's own last words, with no secret in them."""

    def __init__(self, command: str, reason: str, *, output: str = "") -> None:
        self.command = command
        self.reason = reason
        #: everything git printed, redacted, for callers that tell causes apart
        self.output = output
        super().__init__(f"git {command} failed: {reason}")


@dataclass(frozen=True, slots=True)
class GitCredential:
    """An ``Authorization`` header git sends to every URL under ``url`` (and nowhere else)."""

    url: str
    header: SecretStr = field(repr=False)

    @classmethod
    def basic(cls, url: str, username: str, token: SecretStr) -> GitCredential:
        """HTTP basic auth, as GitHub (``x-access-token``) and GitLab (``oauth2``) take tokens."""
        raw = f"{username}:{token.get_secret_value()}".encode()
        return cls(
            web_root(url), SecretStr(f"Authorization: Basic {base64.b64encode(raw).decode()}")
        )

    @classmethod
    def bearer(cls, url: str, token: SecretStr) -> GitCredential:
        """A bearer token (Azure DevOps, Bitbucket Data Center, a proxy in front of git)."""
        return cls(web_root(url), SecretStr(f"Authorization: Bearer {token.get_secret_value()}"))


@dataclass(frozen=True, slots=True)
class GitResult:
    """A finished git run: exit code and its output, redacted."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def reason(self) -> str:
        """git's own words for what went wrong (the lines that say why)."""
        return failure_reason(self.stderr + self.stdout, self.returncode)


def web_root(url: str) -> str:
    """``scheme://host[:port]`` of a URL: the scope a credential applies to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


class GitRunner:
    """Runs git with the hardening above, the given credentials and a timeout."""

    def __init__(
        self,
        *,
        home: Path,
        credentials: Sequence[GitCredential] = (),
        timeout: float = 120.0,
        protocols: str = "http:https",
    ) -> None:
        self.home = home
        self.timeout = timeout
        self._credentials = tuple(credentials)
        self._protocols = protocols

    def with_credentials(self, credentials: Sequence[GitCredential]) -> GitRunner:
        """The same runner, sending these credentials too."""
        return GitRunner(
            home=self.home,
            credentials=(*self._credentials, *credentials),
            timeout=self.timeout,
            protocols=self._protocols,
        )

    def __repr__(self) -> str:
        return f"GitRunner(home={self.home}, hosts={[c.url for c in self._credentials]})"

    def run(self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> str:
        """git's stdout; raises GitFailed with git's reason when it exits non-zero."""
        result = self.attempt(*args, cwd=cwd, env=env)
        if result.returncode != 0:
            output = result.stderr + result.stdout
            raise GitFailed(_subcommand(args), result.reason, output=output)
        return result.stdout

    def attempt(
        self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> GitResult:
        """Run git and return how it went (a non-zero exit is not an error here)."""
        self.home.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=cwd,
                env=self.environment() | dict(env or {}),
                capture_output=True,
                timeout=self.timeout,
                text=True,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitFailed(_subcommand(args), f"no answer within {self.timeout:.0f}s") from None
        return GitResult(done.returncode, self.redact(done.stdout), self.redact(done.stderr))

    def redact(self, text: str) -> str:
        """``text`` with every credential (and its header form) blanked out."""
        for credential in self._credentials:
            header = credential.header.get_secret_value()
            text = text.replace(header, "Authorization: ***")
            secret = header.rpartition(" ")[2]
            if secret:
                text = text.replace(secret, "***")
        return text

    def environment(self) -> dict[str, str]:
        """The whole environment of a git run: nothing inherited but ``PATH`` (and SSH's)."""
        config = [
            ("core.hooksPath", os.devnull),
            ("credential.helper", ""),
            ("commit.gpgsign", "false"),
            ("tag.gpgsign", "false"),
            ("core.fsmonitor", "false"),
            ("protocol.file.allow", "always" if "file" in self._protocols.split(":") else "never"),
        ]
        config += [
            (f"http.{c.url}/.extraHeader", c.header.get_secret_value()) for c in self._credentials
        ]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "true",
            "GIT_ALLOW_PROTOCOL": self._protocols,
            "GIT_CONFIG_COUNT": str(len(config)),
        }
        if "ssh" in self._protocols.split(":"):
            env |= {key: os.environ[key] for key in _SSH_PASSTHROUGH if key in os.environ}
        for index, (key, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{index}"] = key
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        return env


def failure_reason(output: str, code: int) -> str:
    """The lines of git's output that say why it failed: what a remote rejected and why, the
    remote's own words, then git's ``fatal:``/``error:`` lines."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    remote = [ln.removeprefix("remote:").strip() for ln in lines if ln.startswith("remote:")]
    rejected = [
        ln.split("(", 1)[-1].rstrip(")")
        for ln in lines
        if "[remote rejected]" in ln or "[rejected]" in ln
    ]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    picked = [*rejected, *[r for r in remote if r][-3:], *fatal[-2:]]
    return "; ".join(dict.fromkeys(picked or lines[-2:]))[:500] or f"git exited with {code}"


def _subcommand(args: Sequence[str]) -> str:
    """``commit`` of ``--git-dir X --work-tree Y commit ...``: what was asked, for messages."""
    words = iter(args)
    for word in words:
        if word in {"-C", "-c", "--git-dir", "--work-tree", "--namespace"}:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return args[0] if args else "git"
