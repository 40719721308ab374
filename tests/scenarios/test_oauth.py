"""Multi-workspace mode: install through OAuth, then answer each workspace with its own token;
installations and OAuth states live in greenroom's database."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, select

from bot.loopback.signed_requests import SignedRequests
from slackkit.tables import slack_bots, slack_oauth_states
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import ALICE, Workspace

OAUTH = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "client-secret"}


def test_install_then_answer_in_the_new_workspace(
    serve_greenroom: Callable[..., Workspace], acme: None, engine: Engine
) -> None:
    workspace = serve_greenroom(environ=OAUTH)
    start = workspace.http.get("/slack/install")
    assert start.status_code == 200 and "Add to Slack" in start.text
    location = urlsplit(html.unescape(re.search(r'<a href="([^"]+)"', start.text).group(1)))  # type: ignore[union-attr]
    assert location.netloc == "slack.com" and location.path == "/oauth/v2/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == ["111.222"] and "users:read.email" in query["scope"][0]
    state = query["state"][0]
    with engine.connect() as conn:
        assert conn.execute(select(slack_oauth_states.c.state)).scalars().all() == [state]

    code = workspace.slack.oauth_code(team_id="T0NEWCO")
    done = workspace.http.get(
        "/slack/oauth_redirect",
        params={"code": code, "state": state},
        # The state cookie is Secure; a browser on https sends it back, httpx on http does not.
        headers={"cookie": "; ".join(f"{k}={v}" for k, v in start.cookies.items())},
    )
    assert done.status_code == 200, done.text
    with engine.connect() as conn:
        teams = conn.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token)).all()
    assert [t for t, _ in teams] == ["T0NEWCO"]

    workspace.slack.add_user(ALICE, email="alice@acme.example", team_id="T0NEWCO")
    workspace.requests = SignedRequests(SIGNING_SECRET, team_id="T0NEWCO")
    reply = workspace.ask("owner payments-api")
    assert "Payments team" in workspace.text(reply)
    used = {c.token for c in workspace.slack.calls("users.info")}
    assert used == {teams[0][1]}


@pytest.mark.parametrize("answer_processes", [0, 2], ids=["in-process", "answer-pool"])
def test_a_workspace_that_never_installed_is_refused(
    serve_greenroom: Callable[..., Workspace], acme: None, answer_processes: int
) -> None:
    workspace = serve_greenroom(environ=OAUTH, answer_processes=answer_processes)
    workspace.requests = SignedRequests(SIGNING_SECRET, team_id="T0STRANGER")
    sent = workspace.command("whoami")
    assert sent.response.status_code == 200
    assert workspace.slack.calls("users.info") == []
    told = workspace.reply(sent)
    assert "install" in told["text"].lower() and "Alice" not in str(told)
    workspace.stop_greenroom()
    assert len(workspace.replies_to(sent)) == 1


def test_an_install_with_a_forged_state_is_refused(
    serve_greenroom: Callable[..., Workspace], acme: None, engine: Engine
) -> None:
    workspace = serve_greenroom(environ=OAUTH)
    code = workspace.slack.oauth_code(team_id="T0EVIL")
    done = workspace.http.get("/slack/oauth_redirect", params={"code": code, "state": "forged"})
    assert done.status_code == 400
    with engine.connect() as conn:
        assert conn.execute(select(slack_bots.c.team_id)).all() == []
