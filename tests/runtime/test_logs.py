"""Logging set up once per process: readable lines by default, one JSON object per line with
``log_format: json``, and secrets never written either way."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator

import pytest

from runtime.logs import configure_logging, log_as, secrets_of
from runtime.settings import Settings, load_settings

BOT_TOKEN = "xoxb-1111-2222-abcdefABCDEF"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def settings_with_secrets(log_format: str) -> Settings:
    environ = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    return load_settings(None, environ=environ, log_format=log_format)


def test_json_format_writes_one_object_per_record_with_extra_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(log_format="json", component="worker")
    logging.getLogger("tests.logs").info("took %d ms", 12, extra={"request_id": "r-1"})
    logging.getLogger("tests.logs").warning("second")

    lines = capsys.readouterr().err.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "took 12 ms"
    assert (first["level"], first["logger"]) == ("INFO", "tests.logs")
    assert first["component"] == "worker"
    assert first["request_id"] == "r-1"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "WARNING"


def test_text_format_is_one_readable_line_per_record(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(log_format="text", level="WARNING", component="web")
    logging.getLogger("tests.logs").info("not shown")
    logging.getLogger("tests.logs").warning("disk %s is full", "/data")

    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith(f"WARNING [web {os.getpid()}] tests.logs: disk /data is full")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_from_the_settings_and_token_shapes_are_redacted(
    capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    log_as("web", settings_with_secrets(log_format))
    log = logging.getLogger("tests.logs")
    log.warning("token %s and secret %s", BOT_TOKEN, SIGNING_SECRET)
    log.warning("posting to https://hooks.slack.com/commands/T1/123/AbCdEf failed")
    log.warning("app token xapp-1-A0-123-abc, user token xoxp-9-8-7")
    try:
        raise RuntimeError(f"auth failed for {BOT_TOKEN}")
    except RuntimeError:
        log.exception("calling Slack failed")

    written = capsys.readouterr().err
    for secret in (BOT_TOKEN, SIGNING_SECRET, "hooks.slack.com", "xapp-1", "xoxp-9"):
        assert secret not in written
    assert written.count("[redacted]") == 6
    assert "calling Slack failed" in written and "RuntimeError: auth failed for" in written


def test_every_secret_in_the_settings_is_found() -> None:
    environ = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    environ["K8S"] = "t" * 20
    cluster = {"name": "prod", "type": "token", "url": "https://k8s.example", "token_env": "K8S"}
    settings = load_settings(None, environ=environ, kubernetes={"clusters": [cluster]})

    assert sorted(secrets_of(settings)) == sorted([BOT_TOKEN, SIGNING_SECRET, "t" * 20])
