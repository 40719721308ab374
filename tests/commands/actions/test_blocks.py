"""How actions read in Slack: untrusted text stays text, buttons carry their state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from catalog import parse_ref
from commands.actions.blocks import (
    OPEN_ACTION,
    confirm_view,
    finding_buttons,
    request_message,
)
from integrations.actions import Actor, Plan, Preview, Target, get_action
from integrations.actions.approvals import ActionRequest
from integrations.actions.permissions import Decision
from integrations.kubernetes import (
    Finding,
    HealthStatus,
    ImageChange,
    KubernetesHealth,
    ObjectRef,
    Severity,
)

TARGET = Target("Deployment", "payments-api", "prod", "payments")
API = parse_ref("component:payments-api")


def _plan(summary: str) -> Plan:
    return Plan("restart", TARGET, summary, ("a <@U0EVIL> change",), warnings=("<!here>",))


def test_the_preview_escapes_what_clusters_and_catalogs_say() -> None:
    decision = Decision("request", "owned by <!subteam^S1>", parse_ref("group:payments"))
    preview = Preview(get_action("restart"), API, _plan("<!channel> restart"), decision)
    view = confirm_view(preview, str(API))
    text = json.dumps(view["blocks"])
    assert "<!channel>" not in text and "<@U0EVIL>" not in text and "<!here>" not in text
    assert "&lt;!channel&gt;" in text
    assert view["submit"]["text"] == "Request approval"
    state = json.loads(view["private_metadata"])
    assert state["a"] == "restart" and state["t"]["name"] == "payments-api"


def test_a_request_names_the_requester_and_carries_only_its_id() -> None:
    now = datetime.now(UTC)
    request = ActionRequest(
        "abc123",
        "restart",
        API,
        TARGET,
        {},
        "Restart <!everyone>",
        Actor("U0CAROL", name="Carol"),
        parse_ref("group:payments"),
        "pending",
        now,
        now + timedelta(hours=1),
    )
    message = request_message(request, "Restart")
    text = json.dumps(message["blocks"])
    assert "<@U0CAROL>" in text and "<!everyone>" not in text
    buttons = message["blocks"][1]["elements"]
    assert [b["value"] for b in buttons] == ["abc123", "abc123"]


def _health(*findings: Finding) -> KubernetesHealth:
    return KubernetesHealth(API, HealthStatus.FAILING, datetime.now(UTC), None, (), findings)


def _crash(new_image: ImageChange | None = None) -> Finding:
    return Finding(
        "container-waiting",
        Severity.CRITICAL,
        ObjectRef("prod", "payments", "Deployment", "payments-api"),
        "Container app keeps crashing (CrashLoopBackOff)",
        "",
        "",
        detail="app:CrashLoopBackOff",
        new_image=new_image,
    )


def test_a_crash_loop_that_came_with_a_new_image_offers_a_roll_back_naming_the_image() -> None:
    change = ImageChange(5, ("reg.example/pay/api:1.5.0",), 4, ("reg.example/pay/api:1.4.2",))
    blocks = finding_buttons(_health(_crash(change)), str(API), enabled=True)
    [button] = blocks[1]["elements"]
    assert button["text"]["text"] == "Roll back payments-api to api:1.4.2"
    assert button["action_id"] == OPEN_ACTION and json.loads(button["value"])["a"] == "rollback"
    note = blocks[0]["elements"][0]["text"]
    assert "crashes since revision 5 (`reg.example/pay/api:1.5.0`)" in note
    assert "returns to revision 4 (`reg.example/pay/api:1.4.2`)" in note
    assert finding_buttons(_health(_crash(change)), str(API), enabled=False) == []
    assert finding_buttons(_health(), str(API), enabled=True) == []


def test_a_crash_loop_without_a_new_image_offers_a_restart_only() -> None:
    blocks = finding_buttons(_health(_crash()), str(API), enabled=True)
    [button] = blocks[1]["elements"]
    assert button["text"]["text"] == "Restart payments-api"
    assert json.loads(button["value"])["a"] == "restart"
