"""``slack.members`` as a job: the member list read into the Slack user cache on schedule."""

from __future__ import annotations

from pathlib import Path

from bot.capabilities import job_registry
from bot.loopback.slack import LoopbackSlack
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from commands.lookup.members_job import SLACK_MEMBERS, member_schedules, run_members
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
    people = tmp_path / "people"
    people.mkdir()
    text = "---".join(USER.format(name=n) for n in ("alice", "dave"))
    (people / "catalog-info.yaml").write_text(text)
    with LoopbackSlack() as slack:
        slack.add_user("U0ALICE", email="alice@acme.example")
        slack.add_user("U0ERIN", email="erin@elsewhere.example")
        environ = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url}
        runtime = make_runtime(database_url, tmp_path, environ=environ)
        sync_catalog(runtime.engine, [DirectorySource("people", people)])
        context = job_context(runtime, SLACK_MEMBERS, trigger="request")
        try:
            result = run_members(context)
        finally:
            runtime.engine.dispose()
    assert result == {"members": 2, "mapped": 1, "unknown_emails": 1}  # dave is not in Slack


def test_the_job_is_scheduled_only_when_greenroom_can_read_slack(
    database_url: str, tmp_path: Path
) -> None:
    without = make_runtime(database_url, tmp_path).settings
    assert member_schedules(without) == []
    environ = {"SLACK_BOT_TOKEN": "xoxb-test"}
    schedules = member_schedules(make_runtime(database_url, tmp_path, environ=environ).settings)
    assert [(s.id, s.when) for s in schedules] == [(SLACK_MEMBERS, "every 60m")]
    assert SLACK_MEMBERS in {kind.name for kind in job_registry().kinds()}
