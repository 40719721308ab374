"""``slack.members`` as a job: the member list read into the Slack user cache on schedule."""

from __future__ import annotations

from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.capabilities import job_registry
from bot.loopback.slack import LoopbackSlack
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from commands.lookup.members_job import SLACK_MEMBERS, member_schedules, run_members
from runtime.process import Runtime
from tests.jobs.conftest import job_context, make_runtime

USER = """
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {{name: {name}}}
spec: {{profile: {{email: {name}@acme.example}}, memberOf: []}}
"""


def test_the_job_reads_the_member_list_and_says_what_it_found(
    database_url: str, tmp_path: Path
) -> None:
    with LoopbackSlack() as slack:
        slack.add_user("U0ALICE", email="alice@acme.example")
        slack.add_user("U0ERIN", email="erin@elsewhere.example")
        environ = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
        runtime = make_runtime(database_url, tmp_path, environ=environ)
        _people(runtime, tmp_path)
        context = job_context(runtime, SLACK_MEMBERS, trigger="request")
        try:
            result = run_members(context)
        finally:
            runtime.engine.dispose()
    assert result == {
        "workspaces": 1,
        "members": 2,
        "mapped": 1,
        "unknown_emails": 1,
    }  # dave is not in Slack


def test_in_oauth_mode_every_installed_workspace_is_read(database_url: str, tmp_path: Path) -> None:
    with LoopbackSlack() as slack:
        slack.add_user("U0ALICE", email="alice@acme.example")
        slack.add_user("U0DAVE", email="dave@acme.example", team_id="T0TWO")
        code = slack.oauth_code(team_id="T0TWO")
        granted = WebClient(base_url=slack.api_url).oauth_v2_access(
            client_id="111.222", client_secret="shh", code=code
        )
        oauth = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "shh"}
        runtime = make_runtime(
            database_url, tmp_path, environ=oauth | {"SLACK_API_URL": slack.api_url}
        )
        store = SQLAlchemyInstallationStore(client_id="111.222", engine=runtime.engine)
        for team_id, token in (
            (slack.team_id, slack.bot_token),
            ("T0TWO", granted["access_token"]),
        ):
            store.save(
                Installation(
                    app_id="A0GREENROOM", team_id=team_id, bot_token=token, user_id="U0INSTALLER"
                )
            )
        _people(runtime, tmp_path)
        try:
            result = run_members(job_context(runtime, SLACK_MEMBERS, trigger="request"))
        finally:
            runtime.engine.dispose()
        asked = sorted(c.token for c in slack.calls("users.list"))
    assert result == {"workspaces": 2, "members": 2, "mapped": 2, "unknown_emails": 2}
    assert asked == sorted([slack.bot_token, granted["access_token"]])


def test_the_job_is_scheduled_only_when_greenroom_can_read_slack(
    database_url: str, tmp_path: Path
) -> None:
    without = make_runtime(database_url, tmp_path).settings
    assert member_schedules(without) == []
    environ = {"SLACK_BOT_TOKEN": "xoxb-test"}
    schedules = member_schedules(make_runtime(database_url, tmp_path, environ=environ).settings)
    assert [(s.id, s.when) for s in schedules] == [(SLACK_MEMBERS, "every 60m")]
    assert SLACK_MEMBERS in {kind.name for kind in job_registry().kinds()}


def _people(runtime: Runtime, tmp_path: Path) -> None:
    """Alice and Dave, catalog Users with their acme.example emails."""
    people = tmp_path / "people"
    people.mkdir()
    text = "---".join(USER.format(name=n) for n in ("alice", "dave"))
    (people / "catalog-info.yaml").write_text(text)
    sync_catalog(runtime.engine, [DirectorySource("people", people)])
