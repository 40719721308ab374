"""Day-2 actions through the real Slack app: ``run``, the confirmation modal, requests with
Approve/Deny in the owning team's channel, ``audit``, buttons on the ``k8s`` answer, and the
expiry job; the real ``kubernetes`` client against the fake API server (SQLite, PostgreSQL)."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi, write_kubeconfig
from bot.loopback.kubernetes_writes import replica_set
from catalog import parse_ref
from commands.actions.jobs import run_actions_expire
from integrations.actions.audit import read_audit
from integrations.actions.tables import action_requests
from runtime.process import Runtime
from runtime.settings import load_settings
from tests.jobs.conftest import job_context
from tests.scenarios.conftest import SIGNING_SECRET
from tests.scenarios.workspace import ALICE, BOB, CAROL, Workspace

COMPANY = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, title: Payments team, annotations: {slack.com/channel: C0PAYMENTS}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: search, annotations: {slack.com/channel: C0SEARCH}}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {profile: {displayName: Bob Baker, email: bob.b@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {profile: {displayName: Carol Chen, email: carol@acme.example}, memberOf: [search]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  annotations: {backstage.io/kubernetes-id: payments-api}
spec: {type: service, lifecycle: production, owner: OWNER}
"""
API = parse_ref("component:payments-api")


@dataclass
class Actions:
    """A fake cluster with payments-api, greenroom served over it, and what it posted."""

    engine: Engine
    database_url: str
    tmp_path: Path
    api: FakeKubernetesApi
    write_catalog: Callable[[str], None]
    serve_greenroom: Callable[..., Workspace]
    slack_url: str

    def config(self, **actions: Any) -> dict[str, Any]:
        kubeconfig = write_kubeconfig(
            self.tmp_path / "kubeconfig.yaml", {"prod": (self.api.url, self.api.token)}
        )
        cluster = {
            "name": "prod",
            "type": "kubeconfig",
            "kubeconfig": str(kubeconfig),
            "context": "prod",
        }
        settings = {"environments": {"prod": "production"}, "verify_timeout_seconds": 20}
        return {"kubernetes": {"clusters": [cluster]}, "actions": settings | actions}

    def serve(self, **actions: Any) -> Workspace:
        return self.serve_greenroom(config=self.config(**actions))

    def own(self, owner: str) -> None:
        self.write_catalog(COMPANY.replace("OWNER", owner))

    def audit(self) -> list[tuple[str, str, str]]:
        """(event, outcome, actor) oldest first."""
        rows = read_audit(self.engine, entity=API)
        return [(r.event, r.outcome, r.actor_slack_id) for r in reversed(rows)]


@pytest.fixture
def actions(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],
    write_catalog: Callable[[str], None],
    slack_api: Any,
) -> Iterator[Actions]:
    api = FakeKubernetesApi(rollout_seconds=0.3).start()
    deployment = k.deployment("payments-api", image="registry.globex.example/payments-api:1.5.0")
    previous = k.deployment("payments-api", image="registry.globex.example/payments-api:1.4.2")
    api.add(
        deployment,
        replica_set(previous, 3),
        replica_set(deployment, 4),
        *k.pods_of("payments-api", 3),
    )
    world = Actions(
        engine, database_url, tmp_path, api, write_catalog, serve_greenroom, slack_api.api_url
    )
    world.own("payments")
    yield world
    api.close()


def open_run(
    ws: Workspace, text: str, *, user: str = ALICE, shows: str = "What will change"
) -> str:
    """``/greenroom <text>``: the id of the modal, once it shows ``shows``."""
    before = set(ws.slack.modal_ids())
    assert ws.command(text, user=user).response.status_code == 200
    deadline = time.monotonic() + 15
    while not (new := [i for i in ws.slack.modal_ids() if i not in before]):
        assert time.monotonic() < deadline, "no modal was opened"
        time.sleep(0.02)
    ws.wait_view(new[0], shows)
    return new[0]


def dm(ws: Workspace, user: str, shows: str, *, timeout: float = 20) -> str:
    """The text of the first direct message to ``user`` that contains ``shows``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in ws.slack.calls("chat.postMessage"):
            if call.args.get("channel") == user and shows in ws.text(call.args):
                return ws.text(call.args)
        time.sleep(0.05)
    sent = [ws.text(c.args) for c in ws.slack.calls("chat.postMessage")]
    raise AssertionError(f"no message to {user} with {shows!r}; sent: {sent}")


def channel_post(ws: Workspace, channel: str, shows: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for call in ws.slack.calls("chat.postMessage"):
            if call.args.get("channel") == channel and shows in ws.text(call.args):
                return dict(call.args)
        time.sleep(0.05)
    raise AssertionError(f"nothing posted to {channel} with {shows!r}")


def restarted(api: FakeKubernetesApi) -> bool:
    stored = api.get("deployments", "payments", "payments-api") or {}
    annotations = stored["spec"]["template"]["metadata"].get("annotations") or {}
    return "kubectl.kubernetes.io/restartedAt" in annotations


def patches(api: FakeKubernetesApi) -> int:
    return sum(1 for r in api.writes() if r.path.endswith("/deployments/payments-api"))


def test_an_owner_restarts_after_a_preview_and_it_is_audited(actions: Actions) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api")
    shown = ws.view_text(ws.slack.view(view_id))
    assert "Restart deployment payments-api in prod/payments: 3 pods replaced" in shown
    assert "kubectl.kubernetes.io/restartedAt: never →" in shown
    assert ws.slack.view(view_id)["submit"]["text"] == "Restart"
    assert patches(actions.api) == 0  # the preview changed nothing

    ws.submit(view_id, {})
    assert "The restart finished: 3 of 3 pods updated and available" in dm(ws, ALICE, "finished")
    assert restarted(actions.api)
    channel_post(ws, "C0PAYMENTS", "The restart finished")
    assert actions.audit() == [
        ("dry_run", "ok", ALICE),
        ("action", "pending", ALICE),
        ("outcome", "ok", ALICE),
    ]
    trail = ws.text(ws.ask("audit payments-api"))
    assert (
        "outcome" in trail
        and "dry_run" in trail
        and "prod/payments/deployment/payments-api" in trail
    )


def test_a_non_owner_requests_and_an_owner_approves(actions: Actions) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api", user=CAROL)
    assert ws.slack.view(view_id)["submit"]["text"] == "Request approval"
    assert "group:payments" in ws.view_text(ws.slack.view(view_id))
    ws.submit(view_id, {}, user=CAROL)
    request = channel_post(ws, "C0PAYMENTS", "asks to")
    assert ws.buttons(request) == ["Approve", "Deny"]
    assert "Requested" in dm(ws, CAROL, "Requested")
    assert not restarted(actions.api)

    approved = ws.click(request, "Approve", user=BOB)
    running = ws.reply(approved)
    assert "Approved by @U0BOB; running" in ws.text(running) and ws.buttons(running) == []
    decided = ws.reply(approved, count=2, timeout=30)
    assert decided["replace_original"] is True
    assert "Approved by @U0BOB" in ws.text(decided) and "The restart finished" in ws.text(decided)
    assert "Approved by" in dm(ws, CAROL, "Your request")
    assert restarted(actions.api)
    events = [(e, who) for e, _, who in actions.audit()]
    assert ("request", CAROL) in events and ("approve", BOB) in events
    assert ("outcome", CAROL) in events


def test_a_requester_cannot_approve_their_own_request(actions: Actions) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api", user=CAROL)
    ws.submit(view_id, {}, user=CAROL)
    request = channel_post(ws, "C0PAYMENTS", "asks to")
    refused = ws.reply(ws.click(request, "Approve", user=CAROL))
    assert refused["response_type"] == "ephemeral" and refused["replace_original"] is False
    assert "You cannot approve your own request" in ws.text(refused)
    assert not restarted(actions.api)
    assert ("refused", "refused", CAROL) in actions.audit()


def test_a_stale_button_after_ownership_changed_carries_no_authority(actions: Actions) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api", user=CAROL)
    ws.submit(view_id, {}, user=CAROL)
    request = channel_post(ws, "C0PAYMENTS", "asks to")
    actions.own("search")  # payments-api moves to Carol's team; Bob no longer owns it
    refused = ws.reply(ws.click(request, "Approve", user=BOB))
    assert "Only its owners may approve" in ws.text(refused)
    assert not restarted(actions.api)
    assert ("refused", "refused", BOB) in actions.audit()
    # and Carol, now an owner, acts directly from a fresh preview
    view_id = open_run(ws, "run restart payments-api", user=CAROL)
    assert ws.slack.view(view_id)["submit"]["text"] == "Restart"


def test_two_clicks_at_once_restart_once(actions: Actions) -> None:
    ws = actions.serve(cooldown_seconds=60)
    first = open_run(ws, "run restart payments-api", user=ALICE)
    second = open_run(ws, "run restart payments-api", user=BOB)
    clicks = [
        threading.Thread(target=ws.submit, args=(first, {}), kwargs={"user": ALICE}),
        threading.Thread(target=ws.submit, args=(second, {}), kwargs={"user": BOB}),
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    deadline = time.monotonic() + 20
    while len([e for e in actions.audit() if e[0] in {"outcome", "refused"}]) < 2:
        assert time.monotonic() < deadline, actions.audit()
        time.sleep(0.05)
    assert patches(actions.api) == 1
    ends = sorted(e[:2] for e in actions.audit() if e[0] in {"outcome", "refused"})
    assert ends == [("outcome", "ok"), ("refused", "refused")]


def test_a_403_from_the_cluster_is_told_and_recorded(actions: Actions) -> None:
    actions.api.forbid("deployments")
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api")
    ws.submit(view_id, {})
    text = dm(ws, ALICE, "403")
    assert "403 Forbidden" in text and "actions Role" in text
    assert actions.audit()[-1][:2] == ("outcome", "failed")
    assert "fake-token" not in str([r.to_json() for r in read_audit(actions.engine)])


def test_a_rollback_with_no_previous_revision_says_so(actions: Actions) -> None:
    actions.api.objects["replicasets"].clear()
    ws = actions.serve()
    view_id = open_run(ws, "run rollback payments-api", shows="no previous revision")
    assert "Deploy the image you want instead" in ws.view_text(ws.slack.view(view_id))
    assert patches(actions.api) == 0
    assert actions.audit() == [("refused", "refused", ALICE)]


def crash_the_current_revision(api: FakeKubernetesApi) -> None:
    """payments-api's pods become pods of revision 4's ReplicaSet, crash-looping."""
    [current] = [
        rs["metadata"]
        for rs in api.objects["replicasets"]
        if rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4"
    ]
    crashing = k.Container(
        image="registry.globex.example/payments-api:1.5.0",
        ready=False,
        restarts=9,
        waiting=("CrashLoopBackOff", "back-off 5m0s"),
    )
    api.objects["pods"].clear()
    api.add(
        *(
            k.pod(
                f"{current['name']}-{i}",
                owner=("ReplicaSet", current["name"]),
                labels=current["labels"] | {k.KUBE_ID: "payments-api"},
                containers=(crashing,),
            )
            for i in range(3)
        )
    )


def open_from_button(ws: Workspace, reply: dict[str, Any], label: str) -> str:
    before = set(ws.slack.modal_ids())
    ws.click(reply, label)
    deadline = time.monotonic() + 15
    while not (new := [i for i in ws.slack.modal_ids() if i not in before]):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return ws.view_text(ws.wait_view(new[0], "What will change"))


def test_a_crash_loop_that_came_with_a_new_image_offers_a_roll_back_naming_that_image(
    actions: Actions,
) -> None:
    crash_the_current_revision(actions.api)
    ws = actions.serve()
    reply = ws.ask("k8s payments-api")
    label = "Roll back payments-api to payments-api:1.4.2"
    assert [b for b in ws.buttons(reply) if b.startswith(("Roll back", "Restart"))] == [label]
    assert (
        "`payments-api` crashes since revision 4 (`registry.globex.example/payments-api:1.5.0`)"
        in ws.text(reply)
    )
    shown = open_from_button(ws, reply, label)
    assert "to revision 3: image registry.globex.example/payments-api:1.4.2" in shown


def test_a_crash_loop_on_the_image_it_ran_before_offers_a_restart_only(
    actions: Actions,
) -> None:
    deployment = actions.api.get("deployments", "payments", "payments-api")
    assert deployment is not None
    before = copy.deepcopy(deployment["spec"]["template"])  # revision 3: same image, other env
    before["spec"]["containers"][0].setdefault("env", []).append({"name": "X", "value": "1"})
    history = actions.api.objects["replicasets"]
    history[:] = [replica_set(deployment, 3, template=before), replica_set(deployment, 4)]
    crash_the_current_revision(actions.api)
    ws = actions.serve()
    reply = ws.ask("k8s payments-api")
    assert [b for b in ws.buttons(reply) if b.startswith(("Roll back", "Restart"))] == [
        "Restart payments-api"
    ]
    assert "Roll back" not in ws.text(reply)
    assert "Restart deployment payments-api" in open_from_button(ws, reply, "Restart payments-api")


def test_an_expired_request_is_closed_and_cannot_be_approved(actions: Actions) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api", user=CAROL)
    ws.submit(view_id, {}, user=CAROL)
    request = channel_post(ws, "C0PAYMENTS", "asks to")
    with actions.engine.begin() as conn:
        past = datetime.now(UTC) - timedelta(minutes=1)
        conn.execute(update(action_requests).values(expires_at=past))
    environ = {
        "SLACK_BOT_TOKEN": "xoxb-loopback-token",
        "SLACK_API_URL": actions.slack_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    settings = load_settings(
        None,
        environ=environ,
        database_url=actions.database_url,
        data_dir=actions.tmp_path,
        **actions.config(),
    )
    runtime = Runtime(settings, actions.engine)
    result = run_actions_expire(job_context(runtime, "actions.expire", trigger="request"))
    assert result == {"expired": 1, "told": 1}
    assert "expired" in dm(ws, CAROL, "expired")
    assert [c for c in ws.slack.calls("chat.update") if "Expired" in ws.text(c.args)]
    refused = ws.reply(ws.click(request, "Approve", user=BOB))
    assert "already expired" in ws.text(refused)
    assert ("expire", "ok", "greenroom") in actions.audit()
    assert not restarted(actions.api)


def test_scale_is_chosen_in_a_form_previewed_and_done(actions: Actions) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run scale payments-api", shows="Replicas")
    form = ws.slack.view(view_id)
    assert form["submit"]["text"] == "Preview"
    option = form["blocks"][1]["element"]["options"][0]
    assert option["text"]["text"] == "Deployment payments-api · prod/payments"
    values = {
        "target": {"target": {"type": "static_select", "selected_option": option}},
        "replicas": {"replicas": {"type": "plain_text_input", "value": "5"}},
    }
    answer = ws.submit(view_id, values)
    assert answer["response_action"] == "update"
    shown = ws.view_text(answer["view"])
    assert "from 3 to 5 replicas" in shown and "spec.replicas: 3 → 5" in shown
    ws.submit(view_id, {})
    assert "Scaled to 5" in dm(ws, ALICE, "Scaled")
    assert actions.api.get("deployments", "payments", "payments-api")["spec"]["replicas"] == 5


def test_an_owner_denies_a_request_and_the_requester_is_told(actions: Actions) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api", user=CAROL)
    ws.submit(view_id, {}, user=CAROL)
    request = channel_post(ws, "C0PAYMENTS", "asks to")
    decided = ws.reply(ws.click(request, "Deny", user=ALICE))
    assert "Denied by @U0ALICE" in ws.text(decided) and ws.buttons(decided) == []
    assert "Denied" in dm(ws, CAROL, "Your request")
    assert not restarted(actions.api)
    assert ("deny", "ok", ALICE) in actions.audit()


def test_a_preview_drawn_for_an_owner_becomes_a_request_after_ownership_moved(
    actions: Actions,
) -> None:
    ws = actions.serve()
    view_id = open_run(ws, "run restart payments-api", user=ALICE)
    assert ws.slack.view(view_id)["submit"]["text"] == "Restart"
    actions.own("search")  # between the preview and the click
    ws.submit(view_id, {}, user=ALICE)
    request = channel_post(ws, "C0SEARCH", "asks to")  # the new owners decide
    assert ws.buttons(request) == ["Approve", "Deny"]
    assert not restarted(actions.api)
    assert ("request", "pending", ALICE) in actions.audit()


def test_the_home_tab_shows_requests_waiting_for_my_team(actions: Actions) -> None:
    ws = actions.serve()
    assert "action request" not in ws.view_text(ws.open_home(ALICE))
    view_id = open_run(ws, "run restart payments-api", user=CAROL)
    ws.submit(view_id, {}, user=CAROL)
    channel_post(ws, "C0PAYMENTS", "asks to")
    home = ws.view_text(ws.open_home(ALICE))
    assert "1 action request waiting for your team" in home
    assert "@U0CAROL asks to restart deployment `payments-api`" in home
    assert "action request" not in ws.view_text(ws.open_home(CAROL))


def test_an_action_switched_off_in_a_cluster_says_so(actions: Actions) -> None:
    ws = actions.serve(disabled=[{"action": "restart", "cluster": "prod"}])
    view_id = open_run(ws, "run restart payments-api", shows="turned off")
    assert "The restart action is turned off in cluster prod (production)" in ws.view_text(
        ws.slack.view(view_id)
    )
    assert patches(actions.api) == 0


def test_a_workflow_runs_from_slack_with_inputs(actions: Actions, tmp_path: Path) -> None:
    from bot.loopback.github_api import FakeGitHub

    with FakeGitHub(tmp_path / "github") as github:
        github.seed_repository("acme/payments-api", {"README.md": "hi"})
        github.add_workflow("acme/payments-api", "deploy.yml")
        catalog = COMPANY.replace("OWNER", "payments").replace(
            "annotations: {backstage.io/kubernetes-id: payments-api}",
            "annotations: {backstage.io/kubernetes-id: payments-api, "
            "github.com/project-slug: acme/payments-api}",
        )
        actions.write_catalog(catalog)
        host = {"url": github.url, "type": "github", "token_env": "GH_ACTIONS_TOKEN"}
        ws = actions.serve_greenroom(
            config=actions.config() | {"repositories": {"hosts": [host]}},
            environ={"GH_ACTIONS_TOKEN": "ghp_fake_token_0123456789"},
        )
        view_id = open_run(ws, "run run-workflow payments-api", shows="Inputs")
        form = ws.slack.view(view_id)
        option = form["blocks"][1]["element"]["options"][0]
        values = {
            "target": {"target": {"type": "static_select", "selected_option": option}},
            "workflow": {"workflow": {"type": "plain_text_input", "value": "deploy.yml"}},
            "ref": {"ref": {"type": "plain_text_input", "value": None}},
            "inputs": {"inputs": {"type": "plain_text_input", "value": "environment=staging"}},
        }
        shown = ws.view_text(ws.submit(view_id, values)["view"])
        assert "Run workflow deploy.yml of acme/payments-api on main with 1 input" in shown
        assert "input environment = staging" in shown
        ws.submit(view_id, {})
        assert "Workflow run #1" in dm(ws, ALICE, "Workflow run")
        assert github.runs[0]["inputs"] == {"environment": "staging"}
        records = str([r.to_json() for r in read_audit(actions.engine)])
        assert "ghp_fake_token" not in records
