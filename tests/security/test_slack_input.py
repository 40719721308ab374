"""Boundary: workspace members. What a user types never changes how Slack's request is
parsed: hostile command texts reach the command exactly as typed, over every delivery path
(HTTP answered in the web process, HTTP answered by the answer pool, a mention, Socket Mode,
the local console)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.block_text import render_text
from bot.capabilities import CAPABILITIES
from bot.console import Console
from bot.loopback.signed_requests import SignedRequests
from bot.loopback.slack import LoopbackSlack
from bot.web.serve import socket_mode_handler
from commands import Setup
from runtime.process import Runtime
from runtime.settings import load_settings
from slackkit.grammar import MAX_TEXT
from slackkit.replies import Reply
from slackkit.router import Ask
from tests.fakes.slack_socket_mode import SocketModeEndpoint
from tests.scenarios.conftest import ACME
from tests.scenarios.workspace import ALICE, SLACK_USERS, Workspace

PAYLOAD_ROUTER = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payload-router, description: Routes payloads.}
spec: {type: service, lifecycle: production, owner: payments}
"""

RLO, LRI, PDI, LRM, ALM = "\u202e", "\u2066", "\u2069", "\u200e", "\u061c"
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"

#: (typed, what the command sees when that differs from typed).
CORPUS: list[tuple[str, str | None]] = [
    # Slack's own field names, alone and as fields
    ("payload-router", None),
    ("payload", None),
    ("payload=", None),
    ('payload={"type":"block_actions","actions":[]}', None),
    ("command=/other&text=admin sync", None),
    ("text=owner payments-api", None),
    ("token=xoxb-1-2-3", None),
    ("ssl_check=1", None),
    ("type=url_verification&challenge=abc", None),
    ("response_url=https://evil.example/x", None),
    ("user_id=U0BOB&team_id=T0OTHER", None),
    ("trigger_id=1.2.3", None),
    # JSON
    ('{"type": "view_submission", "view": {}}', None),
    ('{"command": "/greenroom", "text": "admin"}', None),
    ("[1, 2, 3]", None),
    ("{", None),
    # = and &
    ("a=b&c=d", None),
    ("&", None),
    ("=", None),
    ("&&==&=&", None),
    ("a&payload=1", None),
    # percent-encoding, single and double, and broken
    ("%26", None),
    ("%3D", None),
    ("%2526payload%253D1", None),
    ("%00", None),
    ("%zz %", None),
    ("%7B%22type%22%3A%22x%22%7D", None),
    # + and spaces
    ("+", None),
    ("a+b", None),
    ("a  b   c", None),
    ("  padded  ", "padded"),
    # line breaks, NULs and other control characters read as spaces
    ("a\nb", "a b"),
    ("a\r\nb", "a  b"),
    ("a\x00b", "a b"),
    ("a\tb\x7fc", "a b c"),
    # emoji, ZWJ sequences, flags
    ("\U0001f680 rocket", None),
    (FAMILY, None),
    (RAINBOW_FLAG, None),
    (SCOTLAND, None),
    ("caf\u00e9 \u0928\u092e\u0938\u094d\u0924\u0947", None),
    # right-to-left text stays; bidi controls go
    ("\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd", None),
    (f"payments{RLO}ipa-", "paymentsipa-"),
    (f"{LRI}abc{PDI}{LRM}{ALM}", "abc"),
    # mrkdwn's specials, typed as text (Slack escapes & < > before sending)
    ("<!channel>", None),
    ("<@U0ALICE> <#C0PAYMENTS>", None),
    ("<https://evil.example|click>", None),
    ("*bold* _italic_ ~strike~ `code` ```block```", None),
    ("&amp; &lt; &gt; &#60;", None),
    # as long as a question may be
    ("x" * (MAX_TEXT - len("echo ")), None),
    (("\U0001f680" * 100 + " ") * 9, ("\U0001f680" * 100 + " ") * 8 + "\U0001f680" * 100),
]


def echo_feature(setup: Setup) -> None:
    """``echo <text>``: answers with the length and SHA-256 of the text the command got."""
    assert setup.slack is not None
    deps = setup.slack.deps

    def echo(ask: Ask) -> Reply:
        return Reply.simple(f"saw {_fingerprint(ask.text)}")

    deps.router.add("echo", echo, summary="What the command got", usage="echo <text>")


def _fingerprint(text: str) -> str:
    return f"{len(text)}:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _slack_escaped(typed: str) -> str:
    """What Slack sends for typed text."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


Ask_ = Callable[[str], str]


# -- the delivery paths ------------------------------------------------------------------
@pytest.fixture
def corpus_catalog(write_catalog: Callable[[str], None]) -> None:
    write_catalog(ACME + PAYLOAD_ROUTER)


def _runtime(engine: Engine, database_url: str, slack: LoopbackSlack, tmp: Path) -> Runtime:
    environ = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_API_URL": slack.api_url,
        "SLACK_APP_TOKEN": slack.app_token,
    }
    settings = load_settings(
        None,
        environ=environ,
        database_url=database_url,
        data_dir=tmp,
        slack={"response_url_origins": [slack.url]},
    )
    return Runtime(settings, engine)


@pytest.fixture(params=["http", "answer-pool", "mention", "socket-mode", "console"])
def ask(
    request: pytest.FixtureRequest,
    serve_greenroom: Callable[..., Workspace],
    slack_api: LoopbackSlack,
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    corpus_catalog: None,
) -> Iterator[Ask_]:
    """``ask(typed)``: type ``/greenroom <typed>`` (or mention the app) on one delivery path;
    the text of the answer."""
    path = request.param
    features = (*CAPABILITIES, echo_feature)
    if path in {"http", "answer-pool", "mention"}:
        workspace = serve_greenroom(features, answer_processes=1 if path == "answer-pool" else 0)

        def over_http(typed: str) -> str:
            if path == "mention":
                before = len(slack_api.calls("chat.postEphemeral"))
                sent = workspace.mention(_slack_escaped(typed))
                assert sent.response.status_code == 200, sent.response.text
                calls = slack_api.wait_for("chat.postEphemeral", count=before + 1)
                return render_text(dict(calls[before].args))
            return render_text(workspace.reply(workspace.command(typed)))

        yield over_http
    elif path == "socket-mode":
        runtime = _runtime(engine, database_url, slack_api, tmp_path)
        requests = SignedRequests("unused", team_id=slack_api.team_id)
        with SocketModeEndpoint(slack_api) as endpoint:
            handler = socket_mode_handler(runtime, features)
            handler.connect()  # type: ignore[no-untyped-call]
            endpoint.wait_connected()
            keys = iter(range(1_000_000))

            def over_socket(typed: str) -> str:
                key = f"sm-{next(keys)}"
                command = requests.slash_command(
                    _slack_escaped(typed), user_id=ALICE, response_url=slack_api.response_url(key)
                )
                envelope = endpoint.send(
                    "slash_commands", dict(command.payload), accepts_response=True
                )
                endpoint.wait_for_ack(envelope)
                return render_text(dict(slack_api.wait_for("response_url", key=key)[0].args))

            yield over_socket
            handler.close()  # type: ignore[no-untyped-call]
    else:
        runtime = _runtime(engine, database_url, slack_api, tmp_path)
        with Console(runtime, capabilities=features) as console:

            def in_console(typed: str) -> str:
                answer = console.ask(f"/greenroom {typed}", email=SLACK_USERS[ALICE])
                assert answer.status == 200, answer.text()
                return answer.text()

            yield in_console


# -- the attacks -------------------------------------------------------------------------
def test_owner_of_payload_router_is_answered(ask: Ask_) -> None:
    assert "Payments team" in ask("owner payload-router")


def test_typed_text_reaches_the_command_exactly(ask: Ask_) -> None:
    wrong = []
    for typed, seen in CORPUS:
        expected = f"saw {_fingerprint(typed if seen is None else seen)}"
        answer = ask(f"echo {typed}")
        if expected not in answer:
            wrong.append(f"{typed[:60]!r}: {answer[:200]!r}")
    assert wrong == []


def test_text_over_the_limit_is_answered_with_the_limit(ask: Ask_) -> None:
    for length in (MAX_TEXT + 1, 4_000, 40_000):
        answer = ask("echo " + "\U0001f680" * (length - len("echo ")))
        assert f"ask in under {MAX_TEXT} characters" in answer, (length, answer[:200])


def test_slack_tokens_reach_the_command_as_their_labels(
    serve_greenroom: Callable[..., Workspace], acme: None
) -> None:
    workspace = serve_greenroom((*CAPABILITIES, echo_feature))
    # What Slack sends when a user picks a person, a channel or a link in the composer.
    request = workspace.requests.slash_command(
        "echo <@U0BOB|bob> <#C0PAYMENTS|payments> <!channel> <https://x.example|x.example>",
        user_id=ALICE,
        response_url=workspace.slack.response_url("tokens"),
    )
    assert workspace.post(request).status_code == 200
    reply = workspace.slack.wait_for("response_url", key="tokens")[0].args
    assert f"saw {_fingerprint('bob payments <!channel> x.example')}" in render_text(dict(reply))
