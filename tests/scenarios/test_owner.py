"""``/greenroom owner <entity>`` over real HTTP, against the loopback Slack."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.scenarios.conftest import ACME
from tests.scenarios.workspace import ALICE, CAROL, NOBODY, Workspace


def test_owner_names_team_members_contacts_system_and_domain(workspace: Workspace) -> None:
    sent = workspace.command("owner payments-api")
    assert sent.response.status_code == 200
    reply = workspace.reply(sent)
    text = workspace.text(reply)
    assert "Payments API" in text
    assert "Payments team" in text and "group:payments" in text
    assert "Authorises and captures card payments." in text
    assert "production" in text
    assert "group:acme" in text  # the team's parent
    assert "#C0PAYMENTS" in text and "payments@acme.example" in text
    assert "system:money" in text and "domain:commerce" in text
    assert "Runbook (https://runbooks.acme.example/payments)" in text
    assert reply["response_type"] == "ephemeral"
    assert workspace.buttons(reply) == ["Share in channel"]


def test_owner_mentions_members_mapped_to_slack_and_names_the_others(workspace: Workspace) -> None:
    workspace.slack.add_user("U0DAVE", email="dave@acme.example")
    reply = workspace.ask("owner payments-api", user=CAROL)
    raw = str(reply["blocks"])
    assert "<@U0BOB>" in raw  # slack.com/user_id annotation
    assert "<@U0ALICE>" in raw  # found by users.lookupByEmail
    lookups = [c.args["email"] for c in workspace.slack.calls("users.lookupByEmail")]
    assert lookups == ["alice@acme.example"]


def test_member_lookups_are_cached_for_the_next_question(workspace: Workspace) -> None:
    workspace.ask("owner payments-api")
    first = len(workspace.slack.calls("users.lookupByEmail")) + len(
        workspace.slack.calls("users.info")
    )
    workspace.ask("owner payments-db")
    again = len(workspace.slack.calls("users.lookupByEmail")) + len(
        workspace.slack.calls("users.info")
    )
    assert again == first


def test_entity_owned_by_a_missing_group_says_so(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("owner orphan"))
    assert "group:ghosts" in text and "not in the catalog" in text


def test_names_are_found_in_any_case_and_form(workspace: Workspace) -> None:
    for typed in ("PAYMENTS-API", "component:payments-api", "default/payments-api"):
        assert "Payments API" in workspace.text(workspace.ask(f"owner {typed}"))


def test_unknown_entity_offers_did_you_mean_buttons_that_answer_on_click(
    workspace: Workspace,
) -> None:
    reply = workspace.ask("owner paymnts-api")
    assert "could not find" in workspace.text(reply)
    assert "component:payments-api" in workspace.buttons(reply)
    answer = workspace.reply(workspace.click(reply, "component:payments-api"))
    assert "Payments team" in workspace.text(answer)
    assert answer["replace_original"] is True


def test_ambiguous_name_lists_the_candidates_as_buttons(workspace: Workspace) -> None:
    reply = workspace.ask("owner search")
    assert set(workspace.buttons(reply)) >= {"component:search", "group:search"}
    answer = workspace.reply(workspace.click(reply, "component:search"))
    assert "component:search" in workspace.text(answer)


def test_owner_without_a_name_shows_usage(workspace: Workspace) -> None:
    text = workspace.text(workspace.ask("owner"))
    assert "Which entity?" in text and "/greenroom owner <entity>" in text


def test_unmapped_user_is_told_and_still_answered(workspace: Workspace) -> None:
    reply = workspace.ask("owner payments-api", user=NOBODY)
    text = workspace.text(reply)
    assert "Payments team" in text
    assert "could not match you to a catalog user" in text


def test_caller_asked_twice_costs_one_users_info_call(workspace: Workspace) -> None:
    workspace.ask("owner web", user=ALICE)
    workspace.ask("owner checkout", user=ALICE)
    assert [c.args["user"] for c in workspace.slack.calls("users.info")] == [ALICE]


AI_SKILL = """
---
apiVersion: backstage.io/v1alpha1
kind: AiResource
metadata: {name: refund-rules, description: How agents may touch refunds.}
spec: {type: skill, lifecycle: production, owner: payments, system: money}
---
apiVersion: acme.com/v1
kind: Dataset
metadata: {name: ledger-entries}
spec: {type: table, owner: payments, system: money}
"""


@pytest.mark.parametrize("name", ["refund-rules", "ledger-entries"])
def test_owner_answers_for_ai_resources_and_custom_kinds(
    serve_greenroom: Callable[..., Workspace], write_catalog: Callable[[str], None], name: str
) -> None:
    write_catalog(ACME + AI_SKILL)
    ws = serve_greenroom()
    text = ws.text(ws.ask(f"owner {name}"))
    assert "Payments team" in text and "group:payments" in text
    assert "system:money" in text and "domain:commerce" in text
