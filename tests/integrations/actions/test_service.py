"""Actions end to end in the domain: the real kubernetes client against the fake API server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catalog import NotAuthorized, parse_ref
from integrations.actions import ActionBusy, ActionFailed, ActionRefused, Target
from integrations.actions.audit import read_audit
from tests.integrations.actions.conftest import World, actor

API = parse_ref("component:payments-api")
DEPLOYMENT = Target("Deployment", "payments-api", "prod", "payments")
ALICE = actor("alice", "U0ALICE")
BOB = actor("bob", "U0BOB")
CAROL = actor("carol", "U0CAROL")
PAT = actor("pat", "U0PAT")


def test_targets_are_the_entitys_workloads_in_each_cluster(world: World) -> None:
    assert world.service.targets("restart", API) == [DEPLOYMENT]
    assert {t.kind for t in world.service.targets("rerun", API)} == {"CronJob", "Job"}


def test_an_owner_restarts_and_the_rollout_is_seen_to_finish(world: World) -> None:
    preview = world.service.preview(ALICE, "restart", API, DEPLOYMENT, {})
    assert preview.decision.may_act and "3 pods replaced" in preview.plan.summary
    outcome = world.service.run(ALICE, "restart", API, DEPLOYMENT, {})
    assert outcome.ok and outcome.verified, outcome
    stored = world.api.get("deployments", "payments", "payments-api")
    assert stored is not None
    annotations = stored["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    events = [r.event for r in read_audit(world.engine, entity=API)]
    assert events == ["outcome", "action", "dry_run"]


def test_members_of_a_parent_group_act_and_others_request(world: World) -> None:
    assert world.service.decision(PAT, API).may_act
    decision = world.service.decision(CAROL, API)
    assert decision.mode == "request" and "group:payments" in decision.reason
    with pytest.raises(NotAuthorized):
        world.service.run(CAROL, "restart", API, DEPLOYMENT, {})


def test_a_request_is_approved_by_an_owner_and_runs_for_the_requester(world: World) -> None:
    asked = world.service.ask(CAROL, "scale", API, DEPLOYMENT, {"replicas": "5"})
    with pytest.raises(NotAuthorized, match="own request"):
        world.service.approve(CAROL, asked.id)
    approval = world.service.approve(ALICE, asked.id)
    assert approval.outcome is not None and approval.outcome.ok, approval.outcome
    assert approval.request.status == "done"
    assert world.api.get("deployments", "payments", "payments-api")["spec"]["replicas"] == 5
    with pytest.raises(ActionRefused, match="already"):
        world.service.approve(BOB, asked.id)


def test_scale_stays_within_the_hpa_and_zero_is_off_in_production(world: World) -> None:
    with pytest.raises(ActionRefused, match="between 2 and 6"):
        world.service.preview(ALICE, "scale", API, DEPLOYMENT, {"replicas": "9"})
    with pytest.raises(ActionRefused, match="between 2 and 6"):
        world.service.preview(ALICE, "scale", API, DEPLOYMENT, {"replicas": "0"})
    world.api.objects["horizontalpodautoscalers"].clear()
    with pytest.raises(ActionRefused, match="Scaling to zero is turned off"):
        world.service.preview(ALICE, "scale", API, DEPLOYMENT, {"replicas": "0"})
    staging = world.service.settings.model_copy(update={"environments": {"prod": "staging"}})
    world.service.settings = staging
    world.service.ctx = replace(world.service.ctx, settings=staging)
    preview = world.service.preview(ALICE, "scale", API, DEPLOYMENT, {"replicas": "0"})
    assert "stops every pod" in preview.plan.warnings[0]


def test_rollback_names_the_image_it_goes_back_to(world: World) -> None:
    preview = world.service.preview(ALICE, "rollback", API, DEPLOYMENT, {})
    assert "payments-api:1.4.2" in preview.plan.summary
    assert any(
        "1.5.0 → registry.globex.example/payments-api:1.4.2" in c for c in preview.plan.changes
    )
    outcome = world.service.run(ALICE, "rollback", API, DEPLOYMENT, {})
    assert outcome.ok, outcome
    stored = world.api.get("deployments", "payments", "payments-api")
    assert stored["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.4.2")
    assert stored["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "5"


def test_rollback_without_a_previous_revision_says_so(world: World) -> None:
    world.api.objects["replicasets"].clear()
    with pytest.raises(ActionRefused, match="no previous revision"):
        world.service.preview(ALICE, "rollback", API, DEPLOYMENT, {})


def test_a_403_from_the_cluster_is_reported_and_recorded(world: World) -> None:
    world.api.forbid("deployments")
    outcome = world.service.run(ALICE, "restart", API, DEPLOYMENT, {})
    assert (
        not outcome.ok and "403 Forbidden" in outcome.message and "actions Role" in outcome.message
    )
    last = read_audit(world.engine, entity=API)[0]
    assert last.event == "outcome" and last.outcome == "failed"


def test_pause_resume_and_rerun(world: World) -> None:
    cron = Target("CronJob", "payments-api-nightly", "prod", "payments")
    assert world.service.run(ALICE, "pause", API, cron, {}).ok
    assert world.api.get("cronjobs", "payments", "payments-api-nightly")["spec"]["suspend"]
    with pytest.raises(ActionRefused, match="already paused"):
        world.service.preview(ALICE, "pause", API, cron, {})
    failed = Target("Job", "payments-api-migrate", "prod", "payments")
    outcome = world.service.run(ALICE, "rerun", API, failed, {})
    assert outcome.ok, outcome
    names = [j["metadata"]["name"] for j in world.api.objects["jobs"]]
    assert any(n.startswith("payments-api-migrate-rerun-") for n in names)
    new = world.api.objects["jobs"][-1]
    assert "selector" not in new["spec"] or new["spec"]["selector"] is None


def test_a_second_action_on_a_busy_workload_is_refused(world: World) -> None:
    world.service.settings = world.service.settings.model_copy(update={"cooldown_seconds": 300})
    assert world.service.run(ALICE, "restart", API, DEPLOYMENT, {}).ok
    with pytest.raises(ActionBusy, match="cools down"):
        world.service.run(BOB, "restart", API, DEPLOYMENT, {})


def test_an_expired_request_cannot_be_approved(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    asked = world.service.ask(CAROL, "restart", API, DEPLOYMENT, {})
    expired = world.service.expire_due(datetime.now(UTC) + timedelta(hours=2))
    assert [r.id for r in expired] == [asked.id]
    with pytest.raises(ActionRefused, match="already expired"):
        world.service.approve(ALICE, asked.id)


def test_a_conflict_is_reported(world: World) -> None:
    world.api.conflict("deployments")
    outcome = world.service.run(ALICE, "restart", API, DEPLOYMENT, {})
    assert not outcome.ok and "409 Conflict" in outcome.message


def test_the_cluster_is_unreachable(world: World) -> None:
    world.api.refuse()
    with pytest.raises(ActionFailed, match="did not answer"):
        world.service.preview(ALICE, "restart", API, DEPLOYMENT, {})


def test_a_failed_audit_write_stops_the_action(world: World) -> None:
    from sqlalchemy import text

    from integrations.actions import AuditWriteFailed

    sqlite = world.engine.dialect.name == "sqlite"
    refuse = (
        [
            "CREATE TRIGGER no_audit BEFORE INSERT ON action_audit "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        ]
        if sqlite
        else [
            "CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER no_audit BEFORE INSERT ON action_audit "
            "FOR EACH ROW EXECUTE FUNCTION no_audit()",
        ]
    )
    with world.engine.begin() as conn:
        for statement in refuse:
            conn.execute(text(statement))
    try:
        with pytest.raises(AuditWriteFailed, match="nothing was done"):
            world.service.run(ALICE, "restart", API, DEPLOYMENT, {})
        assert world.api.writes() == []
    finally:
        with world.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER no_audit" + ("" if sqlite else " ON action_audit")))
            if not sqlite:
                conn.execute(text("DROP FUNCTION no_audit()"))


def test_the_rate_limit_counts_actions_per_person(world: World) -> None:
    settings = world.service.settings.model_copy(update={"rate_limit": 2})
    world.service.settings = settings
    cron = Target("CronJob", "payments-api-nightly", "prod", "payments")
    assert world.service.run(ALICE, "pause", API, cron, {}).ok
    assert world.service.run(ALICE, "resume", API, cron, {}).ok
    with pytest.raises(ActionRefused, match="2 actions in the last 60 minutes"):
        world.service.run(ALICE, "pause", API, cron, {})
    assert world.service.run(BOB, "pause", API, cron, {}).ok


def test_admins_act_anywhere_and_unmapped_people_neither_act_nor_ask(world: World) -> None:
    from integrations.actions import Actor

    admin = replace(CAROL, is_admin=True)
    assert world.service.decision(admin, API).reason == "you are a greenroom admin"
    stranger = Actor("U0NOBODY", name="nobody")
    with pytest.raises(NotAuthorized, match="not matched to a user"):
        world.service.ask(stranger, "restart", API, DEPLOYMENT, {})


def test_a_denied_request_does_nothing(world: World) -> None:
    asked = world.service.ask(CAROL, "restart", API, DEPLOYMENT, {})
    with pytest.raises(NotAuthorized, match="Only its owners"):
        world.service.deny(
            replace(CAROL, slack_user_id="U0OTHER", person=parse_ref("user:pat2")), asked.id
        )
    denied = world.service.deny(BOB, asked.id)
    assert denied.request.status == "denied" and denied.outcome is None
    assert world.api.writes() == []
    events = [r.event for r in read_audit(world.engine, entity=API)]
    assert events[:2] == ["deny", "refused"] and "request" in events


def test_a_workload_of_another_entity_is_refused(world: World) -> None:
    from bot.loopback import kubernetes_objects as k

    world.api.add(k.deployment("search-api", labels={k.KUBE_ID: "search-api"}))
    other = Target("Deployment", "search-api", "prod", "payments")
    with pytest.raises(ActionRefused, match="does not belong to component:payments-api"):
        world.service.preview(ALICE, "restart", API, other, {})
    assert world.api.writes() == []


def test_an_admin_only_action_lets_owners_request_only(world: World) -> None:
    from integrations.actions import get_action
    from integrations.actions.kubernetes_actions import RestartAction

    action = get_action("restart")
    assert isinstance(action, RestartAction)
    type(action).permission = "admin"
    try:
        decision = world.service.decision(ALICE, API, "restart")
        assert decision.mode == "request" and "only greenroom admins" in decision.reason
        assert world.service.decision(replace(CAROL, is_admin=True), API, "restart").may_act
    finally:
        type(action).permission = "owner"


def test_no_secret_of_a_pod_template_reaches_a_plan_or_the_trail(world: World) -> None:
    from bot.loopback import kubernetes_objects as k

    rollback = world.service.preview(ALICE, "rollback", API, DEPLOYMENT, {})
    assert world.service.run(ALICE, "rollback", API, DEPLOYMENT, {}).ok
    failed = Target("Job", "payments-api-migrate", "prod", "payments")
    rerun = world.service.preview(ALICE, "rerun", API, failed, {})
    assert world.service.run(ALICE, "rerun", API, failed, {}).ok
    shown = str([rollback.plan, rerun.plan]) + str([r.to_json() for r in read_audit(world.engine)])
    assert k.SECRET_VALUE not in shown and "payments-api-secrets" not in shown
