"""The ``slack:`` section of greenroom.yaml, plus the Slack secrets from the environment.

Secrets (``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``, ``SLACK_CLIENT_SECRET``,
``SLACK_APP_TOKEN``) can only come from the environment: ``runtime/settings.py`` fills them in, and
writing them into greenroom.yaml is refused.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from catalog import ConfigError

__all__ = ["SLACK_ENV", "SLACK_RESPONSE_URL_ORIGINS", "AnswerScheduling", "SlackSettings"]

#: How the answering processes are scheduled next to the web process (Linux scheduling
#: policies): ``batch`` never preempts it on waking, ``normal`` is as the web process.
AnswerScheduling = Literal["batch", "normal"]

#: Environment variable -> SlackSettings field (secrets and the two plain values Slack's docs
#: tell people to export).
SLACK_ENV = {
    "SLACK_BOT_TOKEN": "bot_token",
    "SLACK_SIGNING_SECRET": "signing_secret",
    "SLACK_CLIENT_ID": "client_id",
    "SLACK_CLIENT_SECRET": "client_secret",
    "SLACK_APP_TOKEN": "app_token",
    "SLACK_API_URL": "api_url",
}
_SECRETS = {"bot_token", "signing_secret", "client_secret", "app_token"}
#: Where Slack's ``response_url``s point: Slack (Enterprise Grid included) and GovSlack.
SLACK_RESPONSE_URL_ORIGINS = ("https://hooks.slack.com", "https://hooks.slack-gov.com")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class SlackSettings(BaseModel):
    """How the Slack app behaves and how it reaches Slack (see docs/slack.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str = Field(
        default="/greenroom", pattern=r"^/[a-z0-9_-]{1,31}$", description="the slash command"
    )
    app_name: str = Field(
        default="greenroom", min_length=1, max_length=35, description="shown in Slack"
    )
    admins: tuple[str, ...] = Field(
        default=(), description="Slack user IDs (U...) or catalog refs (group:x, user:y)"
    )
    api_url: str = Field(
        default="https://slack.com/api/", pattern=r"^https?://", description="Slack's Web API"
    )
    user_cache_minutes: int = Field(default=60, ge=1, description="Slack user -> email cache")
    page_size: int = Field(default=20, ge=5, le=40, description="list lines per message")
    listener_threads: int = Field(
        default=4, ge=2, le=256, description="answers under way at once, per process"
    )
    answer_processes: int | None = Field(
        default=None, ge=0, le=64, description="per web process; unset: one per CPU"
    )
    answer_scheduling: AnswerScheduling = Field(
        default="batch", description="answering processes' scheduling policy (acks go first)"
    )
    answer_niceness: int = Field(
        default=0, ge=0, le=19, description="answering processes' niceness above the web's"
    )
    http_timeout_seconds: int = Field(default=10, ge=1, le=60, description="one call to Slack")
    state_expiration_seconds: int = Field(
        default=600, ge=60, description="how long an OAuth install link works"
    )
    response_url_origins: tuple[str, ...] = Field(
        default=SLACK_RESPONSE_URL_ORIGINS,
        min_length=1,
        description="scheme://host[:port] a response_url may point at (tests: a loopback Slack)",
    )
    bot_token: SecretStr | None = Field(default=None, description="the bot's xoxb- token")
    signing_secret: SecretStr | None = Field(
        default=None, description="verifies that requests come from Slack"
    )
    client_id: str | None = Field(default=None, description="OAuth app (multi-workspace)")
    client_secret: SecretStr | None = Field(default=None, description="OAuth app's secret")
    app_token: SecretStr | None = Field(
        default=None, description="xapp- token, for Socket Mode (serve --socket-mode)"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_secrets_in_files(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in sorted(_SECRETS & set(data)):
                env = next(name for name, field in SLACK_ENV.items() if field == key)
                raise ValueError(f"slack.{key} is a secret: set {env} in the environment instead")
        return data

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("response_url_origins")
    @classmethod
    def _origins(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        origins = []
        for value in values:
            origin = _origin(value)
            parts = urlsplit(value)
            if origin is None or parts.path not in {"", "/"} or parts.query or parts.fragment:
                raise ValueError(f"{value!r} is not an origin like https://hooks.slack.com")
            origins.append(origin)
        return tuple(origins)

    def allows_response_url(self, url: str) -> bool:
        """Whether ``url`` points at one of ``response_url_origins`` (a response_url anywhere
        else would make greenroom post answers, and fetch, wherever a request says)."""
        origin = _origin(url)
        return origin is not None and origin in self.response_url_origins

    @property
    def mode(self) -> Literal["oauth", "single"]:
        """``oauth`` (multi-workspace install) when a client id and secret are set."""
        return "oauth" if self.client_id and self.client_secret else "single"

    def require(self, *, socket_mode: bool = False) -> None:
        """Raise ConfigError naming the variables to set when the app cannot start."""
        missing = []
        if self.mode == "single" and self.bot_token is None:
            missing.append("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET for OAuth)")
        if socket_mode and self.app_token is None:
            missing.append("SLACK_APP_TOKEN (an xapp- token with connections:write)")
        if not socket_mode and self.signing_secret is None:
            missing.append("SLACK_SIGNING_SECRET")
        if missing:
            raise ConfigError("The Slack app needs " + ", ".join(missing) + " in the environment.")

    def with_env(self, env: Any) -> SlackSettings:
        """A copy with the SLACK_* environment variables applied."""
        update: dict[str, Any] = {}
        for name, field in SLACK_ENV.items():
            value = env.get(name)
            if value:
                update[field] = SecretStr(value) if field in _SECRETS else value
        if "api_url" in update:
            update["api_url"] = self._trailing_slash(str(update["api_url"]))
        return self.model_copy(update=update) if update else self


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL without credentials; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{parts.hostname}"
    return f"{parts.scheme}://{parts.hostname}:{port}"
