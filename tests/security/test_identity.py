"""Who a Slack user is and which groups they are in come only from sources the operator trusts.

The attacker is Mallory, an engineer who may edit her team's repository (``repos/``), read by
greenroom like every team's. The org chart (``org/``) is kept by the people team and is the
only source whose rules allow Users and Groups. Alice is a greenroom admin through
``group:admins``. Each test tries one way for Mallory to become someone else, or an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, insert

from bot.loopback.slack import LoopbackSlack
from catalog import Catalog, EntityRef, parse_ref
from catalog.groups import ancestors, groups_of_user, members_of, person_of, team_of
from catalog.rules import CatalogRule, CatalogRules
from catalog.source_config import BackstageSourceConfig, GitSourceConfig, build_source
from catalog.sources import DirectorySource, LocationSource
from catalog.sync import SyncReport, sync_catalog
from catalog.sync_options import SyncOptions
from commands.sync.jobs import run_catalog_sync
from runtime.process import Runtime
from runtime.settings import load_settings
from slackkit.tables import slack_users
from slackkit.users import UserResolver
from tests.catalog.sources.test_git import git
from tests.fakes.backstage_api import FakeBackstage, serve_backstage
from tests.jobs.conftest import job_context, make_runtime
from tests.scenarios.workspace import ALICE, Workspace

MALLORY = "U0MALLORY"
ADMINS = ["group:admins"]
NOT_ADMIN = "for greenroom admins only"
TRUSTED = [{"allow": ["User", "Group"]}]

ORG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: admins}
spec: {type: team, children: [], members: [alice]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: mallory}
spec: {profile: {displayName: Mallory, email: mallory@acme.example}, memberOf: [platform]}
"""

SERVICE = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: mallory-service}
spec: {type: service, lifecycle: production, owner: platform}
"""

# The reproduced attack: a User with Mallory's Slack id, in the admin group.
FAKE_ADMIN = """
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: mallory-admin
  annotations: {slack.com/user_id: U0MALLORY}
spec: {profile: {email: mallory@acme.example}, memberOf: [admins]}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def company(tmp_path: Path) -> Path:
    write(tmp_path / "org" / "catalog-info.yaml", ORG)
    write(tmp_path / "repos" / "mallory-service" / "catalog-info.yaml", SERVICE)
    return tmp_path


def catalog_config(company: Path, *, org_rules: list[Any] | None = None) -> dict[str, Any]:
    """Team repositories first, so whatever they claim would win a conflict."""
    org: dict[str, Any] = {"name": "org", "type": "directory", "path": str(company / "org")}
    if org_rules is not None:
        org["rules"] = org_rules
    repos = {"name": "repos", "type": "directory", "path": str(company / "repos")}
    return {"sources": [repos, org]}


def sync(engine: Engine, database_url: str, tmp_path: Path, config: dict[str, Any]) -> SyncReport:
    """Sync as ``greenroom sync`` does: sources and rules from the settings."""
    settings = load_settings(
        None, environ={}, database_url=database_url, data_dir=tmp_path / "data", catalog=config
    )
    return Runtime(settings, engine).sync(trigger="test")


Serve = Callable[..., Workspace]


@pytest.fixture
def mallory(slack_api: LoopbackSlack) -> str:
    slack_api.add_user(MALLORY, email="mallory@acme.example", name="Mallory")
    return MALLORY


def errors_of(report: SyncReport) -> list[str]:
    return [str(p) for s in report.sources for p in s.errors]


def refused(report: SyncReport) -> list[str | None]:
    """The refs the sync refused for their kind; any other error fails the test."""
    errors = [p for s in report.sources for p in s.errors]
    assert all(p.field == "kind" for p in errors), errors
    return [p.ref for p in errors]


def is_admin(ws: Workspace, user: str) -> bool:
    whoami = ws.text(ws.ask("whoami", user=user))
    refused = NOT_ADMIN in ws.text(ws.ask("admin", user=user))
    assert ("You are a greenroom admin." in whoami) is not refused
    return not refused


def test_without_a_trusted_source_a_catalog_user_makes_nobody_an_admin(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    company: Path,
    serve_greenroom: Serve,
    mallory: str,
) -> None:
    write(company / "repos" / "mallory-service" / "catalog-info.yaml", SERVICE + FAKE_ADMIN)
    config = catalog_config(company)  # nothing marked: no source may define people
    report = sync(engine, database_url, tmp_path, config)
    ws = serve_greenroom(admins=ADMINS, config={"catalog": config})

    assert not is_admin(ws, mallory)
    assert Catalog(engine).get("user:mallory-admin") is None
    assert any(
        e.startswith("mallory-service/catalog-info.yaml:7: Entity user:default/mallory-admin")
        and "not of an allowed kind for source 'repos'" in e
        for e in errors_of(report)
    )


def test_a_user_in_a_team_repository_does_not_make_its_author_an_admin(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    company: Path,
    serve_greenroom: Serve,
    mallory: str,
) -> None:
    write(company / "repos" / "mallory-service" / "catalog-info.yaml", SERVICE + FAKE_ADMIN)
    config = catalog_config(company, org_rules=TRUSTED)
    report = sync(engine, database_url, tmp_path, config)
    ws = serve_greenroom(admins=ADMINS, config={"catalog": config})

    assert not is_admin(ws, mallory)
    assert is_admin(ws, ALICE)  # the org chart still makes its admins
    assert "Mallory" in ws.text(ws.ask("whoami", user=mallory))  # mapped to her real User
    assert refused(report) == ["user:default/mallory-admin"]


def test_a_group_in_a_team_repository_cannot_pull_anyone_into_the_admin_group(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    company: Path,
    serve_greenroom: Serve,
    mallory: str,
) -> None:
    crew = """
    ---
    apiVersion: backstage.io/v1alpha1
    kind: Group
    metadata: {name: mallory-crew}
    spec: {type: team, parent: admins, children: [platform], members: [mallory]}
    """
    write(company / "repos" / "mallory-service" / "catalog-info.yaml", SERVICE + dedent(crew))
    config = catalog_config(company, org_rules=TRUSTED)
    report = sync(engine, database_url, tmp_path, config)
    ws = serve_greenroom(admins=ADMINS, config={"catalog": config})

    assert not is_admin(ws, mallory)
    assert refused(report) == ["group:default/mallory-crew"]
    catalog = Catalog(engine)
    assert groups_of_user(catalog, parse_ref("user:mallory"), transitive=True) == [
        parse_ref("group:platform")
    ]
    assert ancestors(catalog, parse_ref("group:platform")) == []


def test_a_team_repository_cannot_redefine_the_admin_group(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    company: Path,
    serve_greenroom: Serve,
    mallory: str,
) -> None:
    admins = """
    ---
    apiVersion: backstage.io/v1alpha1
    kind: Group
    metadata: {name: admins}
    spec: {type: team, children: [], members: [mallory]}
    """
    write(company / "repos" / "mallory-service" / "catalog-info.yaml", SERVICE + dedent(admins))
    config = catalog_config(company, org_rules=TRUSTED)
    report = sync(engine, database_url, tmp_path, config)
    ws = serve_greenroom(admins=ADMINS, config={"catalog": config})

    assert not is_admin(ws, mallory)
    stored = Catalog(engine).get("group:admins")
    assert stored is not None and stored.source == "org"
    assert [p.ref.name for p in members_of(Catalog(engine), stored.ref)] == ["alice"]
    assert refused(report) == ["group:default/admins"]
    assert not [c for s in report.sources for c in s.conflicts]  # refused, not a conflict


def test_people_reached_through_a_location_in_an_untrusted_source_are_refused(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    write(
        root / "catalog-info.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: everything}
        spec: {targets: [./people/*.yaml, ./service.yaml]}
        """,
    )
    write(root / "service.yaml", SERVICE)
    write(root / "people" / "mallory.yaml", FAKE_ADMIN)
    source = LocationSource("repo", root / "catalog-info.yaml")
    report = sync_catalog(engine, [source], SyncOptions(rules=CatalogRules()))

    assert {str(s.ref) for s in catalog.entities()} == {
        "location:default/everything",
        "component:default/mallory-service",
    }
    assert [e for e in errors_of(report) if e.startswith("people/mallory.yaml:2: Entity user:")]


def backstage_entity(kind: str, name: str, spec: dict[str, Any], *relations: str) -> dict[str, Any]:
    """An entity as Backstage's API serves it; ``relations`` are ``type:targetRef``."""
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "etag": f"etag-{name}",
            "annotations": {"backstage.io/managed-by-location": f"url:https://x/{name}.yaml"},
        },
        "spec": spec,
        "relations": [
            {"type": r.split(":", 1)[0], "targetRef": r.split(":", 1)[1]} for r in relations
        ],
    }


BACKSTAGE_ORG = [
    backstage_entity(
        "Group", "admins", {"type": "team", "children": []}, "hasMember:user:default/alice"
    ),
    backstage_entity(
        "Group", "platform", {"type": "team", "children": []}, "hasMember:user:default/mallory"
    ),
    backstage_entity(
        "User",
        "alice",
        {"profile": {"email": "alice@acme.example"}, "memberOf": ["admins"]},
        "memberOf:group:default/admins",
    ),
    backstage_entity(
        "User",
        "mallory",
        {"profile": {"email": "mallory@acme.example"}, "memberOf": ["platform"]},
        "memberOf:group:default/platform",
    ),
]
SERVICE_SPEC = {"type": "service", "lifecycle": "production", "owner": "platform"}


def sync_backstage(engine: Engine, fake: FakeBackstage, rules: list[Any]) -> SyncReport:
    config = BackstageSourceConfig.model_validate(
        {"name": "backstage", "base_url": fake.url, "rules": rules}
    )
    source = build_source(config, base_dir=Path("."), cache_dir=Path("."))
    return sync_catalog(
        engine, [source], SyncOptions(rules=CatalogRules.of(None, [(config.name, config.rules)]))
    )


def test_a_backstage_source_defines_people_only_when_its_rules_say_so(
    engine: Engine, catalog: Catalog
) -> None:
    fake = FakeBackstage([*BACKSTAGE_ORG, backstage_entity("Component", "svc", SERVICE_SPEC)])
    with serve_backstage(fake):
        report = sync_backstage(engine, fake, [])
        assert {str(s.ref) for s in catalog.entities()} == {"component:default/svc"}
        refused = {p.ref for p in report.sources[0].errors}
        assert refused == {
            "group:default/admins",
            "group:default/platform",
            "user:default/alice",
            "user:default/mallory",
        }
        again = sync_backstage(engine, fake, [])  # still said on the next sync, not silent
        assert {p.ref for p in again.sources[0].errors} == refused

        # Trusting that Backstage (its own rules decided where people come from) brings
        # them in without Backstage changing anything.
        report = sync_backstage(engine, fake, TRUSTED)
    assert report.sources[0].errors == []
    assert catalog.count_by_kind() == {"component": 1, "group": 2, "user": 2}


def test_relations_another_kind_carries_make_nobody_a_member_or_an_admin(
    engine: Engine, catalog: Catalog
) -> None:
    trojan = backstage_entity(
        "Component",
        "trojan",
        SERVICE_SPEC,
        "hasMember:user:default/mallory",  # "mallory is a member of me"
        "parentOf:group:default/platform",  # "platform is my child"
        "childOf:group:default/admins",  # "and I am a child of admins"
    )
    fake = FakeBackstage([*BACKSTAGE_ORG, trojan])
    with serve_backstage(fake):
        assert sync_backstage(engine, fake, TRUSTED).status == "ok"
    mallory, platform, admins = (
        parse_ref(r) for r in ("user:mallory", "group:platform", "group:admins")
    )
    assert groups_of_user(catalog, mallory, transitive=True) == [platform]
    assert ancestors(catalog, platform) == []
    assert [p.ref.name for p in members_of(catalog, admins)] == ["alice"]
    assert team_of(catalog, platform).parents == ()
    assert team_of(catalog, admins).children == ()


def test_a_git_repository_defines_people_only_when_its_rules_say_so(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    write(work / "catalog-info.yaml", SERVICE + FAKE_ADMIN)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)

    def sync_git(rules: list[Any]) -> SyncReport:
        config = GitSourceConfig.model_validate({"name": "git", "url": str(work), "rules": rules})
        source = build_source(config, base_dir=tmp_path, cache_dir=tmp_path / "cache")
        rules = CatalogRules.of(None, [("git", config.rules)])
        return sync_catalog(engine, [source], SyncOptions(rules=rules))

    report = sync_git([])
    assert catalog.get("user:mallory-admin") is None
    assert catalog.get("component:mallory-service") is not None
    assert [p.ref for p in report.sources[0].errors] == ["user:default/mallory-admin"]
    sync_git(TRUSTED)
    assert catalog.get("user:mallory-admin") is not None


def trusted(source: str) -> CatalogRules:
    return CatalogRules.of(
        None, [(source, [CatalogRule.model_validate({"allow": ["User", "Group"]})])]
    )


def test_withdrawn_trust_removes_people_at_the_next_sync_though_no_file_changed(
    engine: Engine, catalog: Catalog, company: Path
) -> None:
    org = DirectorySource("org", company / "org")
    sync_catalog(engine, [org], SyncOptions(rules=trusted("org")))
    assert catalog.get("user:alice") is not None

    report = sync_catalog(engine, [org], SyncOptions(rules=CatalogRules()))

    assert catalog.count_by_kind() == {}
    assert set(report.sources[0].removed) == {
        "group:default/admins",
        "group:default/platform",
        "user:default/alice",
        "user:default/mallory",
    }
    assert len(report.sources[0].errors) == 4


def test_people_stored_before_catalog_rules_are_removed_by_the_first_sync_under_rules(
    engine: Engine, catalog: Catalog, company: Path
) -> None:
    write(company / "repos" / "mallory-service" / "catalog-info.yaml", SERVICE + FAKE_ADMIN)
    repos = DirectorySource("repos", company / "repos")
    sync_catalog(engine, [repos])  # every kind from every source, as before catalog rules
    assert catalog.get("user:mallory-admin") is not None

    report = sync_catalog(engine, [repos], SyncOptions(rules=CatalogRules()))

    assert catalog.get("user:mallory-admin") is None
    assert report.sources[0].removed == ["user:default/mallory-admin"]
    assert report.sources[0].files_unchanged == 0  # read again: the rules changed


@pytest.mark.parametrize(
    "breakage",
    [
        "yaml",  # the file no longer parses: its other entities keep their last version
        "document",  # the User's document is no entity at all: an invalid entity is kept
    ],
)
def test_breaking_the_file_does_not_keep_people_the_rules_refuse(
    engine: Engine, catalog: Catalog, company: Path, breakage: str
) -> None:
    file = company / "repos" / "mallory-service" / "catalog-info.yaml"
    write(file, SERVICE + FAKE_ADMIN)
    repos = DirectorySource("repos", company / "repos")
    sync_catalog(engine, [repos])  # stored before catalog rules
    if breakage == "yaml":
        write(file, SERVICE + FAKE_ADMIN + "\n---\nkind: [unclosed\n")
    else:
        write(file, SERVICE + FAKE_ADMIN.replace("spec: {", "status: x\nspec: {"))

    report = sync_catalog(engine, [repos], SyncOptions(rules=CatalogRules()))

    assert catalog.get("user:mallory-admin") is None
    assert catalog.get("component:mallory-service") is not None
    assert report.sources[0].errors


def test_withdrawn_trust_is_not_held_by_the_removal_guard(
    engine: Engine, catalog: Catalog, tmp_path: Path
) -> None:
    people(engine, tmp_path, *(user(f"person-{i}", f"p{i}@acme.example") for i in range(30)))
    org = DirectorySource("org", tmp_path / "people")

    report = sync_catalog(engine, [org], SyncOptions(rules=CatalogRules()))

    assert report.sources[0].status == "ok" and len(report.sources[0].removed) == 30
    assert catalog.count_by_kind() == {}


# Slack user -> catalog User: Slack's email decides; the annotation never overrides it.


def user(name: str, email: str | None = None, slack_id: str | None = None) -> str:
    annotations = f", annotations: {{slack.com/user_id: {slack_id}}}" if slack_id else ""
    profile = f"{{email: {email}}}" if email else "{}"
    return (
        "---\napiVersion: backstage.io/v1alpha1\nkind: User\n"
        f"metadata: {{name: {name}{annotations}}}\nspec: {{profile: {profile}, memberOf: []}}\n"
    )


def people(engine: Engine, tmp_path: Path, *users: str) -> None:
    """Users from a trusted source (the org chart), as an HR export would write them."""
    write(tmp_path / "people" / "catalog-info.yaml", "".join(users))
    sync_catalog(
        engine, [DirectorySource("org", tmp_path / "people")], SyncOptions(rules=trusted("org"))
    )


def resolver(engine: Engine) -> UserResolver:
    return UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))


def client_of(slack: LoopbackSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url)


def mapped(engine: Engine, slack: LoopbackSlack, user_id: str) -> EntityRef | None:
    caller = resolver(engine).resolve(client_of(slack), slack.team_id, user_id)
    return caller.person.ref if caller.person else None


def test_a_user_with_the_victims_slack_id_and_the_attackers_email_is_not_the_victim(
    engine: Engine,
    tmp_path: Path,
    slack_api: LoopbackSlack,
    mallory: str,
) -> None:
    people(
        engine,
        tmp_path,
        user("alice", "alice@acme.example"),
        user("mallory-as-alice", "mallory@acme.example", slack_id=ALICE),
    )
    assert mapped(engine, slack_api, ALICE) == parse_ref("user:alice")
    assert mapped(engine, slack_api, mallory) == parse_ref("user:mallory-as-alice")  # hers


def test_a_user_with_the_attackers_slack_id_and_the_victims_email_is_not_the_attacker(
    engine: Engine,
    tmp_path: Path,
    slack_api: LoopbackSlack,
    mallory: str,
) -> None:
    people(
        engine,
        tmp_path,
        user("alice", "alice@acme.example"),
        user("alice-twin", "alice@acme.example", slack_id=mallory),
    )
    assert mapped(engine, slack_api, mallory) is None
    # Two Users claim Alice's email and neither names her Slack id: nobody is guessed.
    assert mapped(engine, slack_api, ALICE) is None


def test_users_sharing_an_email_are_told_apart_by_the_slack_id_annotation(
    engine: Engine,
    tmp_path: Path,
    slack_api: LoopbackSlack,
) -> None:
    people(
        engine,
        tmp_path,
        user("alice-old", "alice@acme.example"),
        user("alice", "alice@acme.example", slack_id=ALICE),
    )
    caller = resolver(engine).resolve(client_of(slack_api), slack_api.team_id, ALICE)
    assert caller.person is not None and caller.person.ref == parse_ref("user:alice")
    assert caller.mapped_by == "email+slack_id"


def test_an_annotation_alone_maps_nobody(
    engine: Engine,
    tmp_path: Path,
    slack_api: LoopbackSlack,
    mallory: str,
) -> None:
    people(engine, tmp_path, user("alice", slack_id=ALICE), user("boss", "boss@x", mallory))
    assert mapped(engine, slack_api, ALICE) is None
    assert mapped(engine, slack_api, mallory) is None


def test_an_email_slack_has_not_confirmed_maps_nobody(
    engine: Engine,
    tmp_path: Path,
    slack_api: LoopbackSlack,
) -> None:
    people(engine, tmp_path, user("alice", "alice@acme.example"))
    slack_api.add_user("U0TYPEDIT", email="alice@acme.example", email_confirmed=False)
    caller = resolver(engine).resolve(client_of(slack_api), slack_api.team_id, "U0TYPEDIT")
    assert caller.person is None and caller.email is None


def test_a_mapping_cached_under_the_annotation_rule_is_made_again(
    engine: Engine,
    tmp_path: Path,
    slack_api: LoopbackSlack,
    mallory: str,
) -> None:
    people(
        engine,
        tmp_path,
        user("alice", "alice@acme.example"),
        user("mallory-as-alice", "mallory@acme.example", slack_id=ALICE),
    )
    with engine.begin() as conn:
        conn.execute(
            insert(slack_users).values(
                team_id=slack_api.team_id,
                user_id=ALICE,
                email="alice@acme.example",
                user_ref="user:default/mallory-as-alice",
                mapped_by="annotation",
                catalog_generation=Catalog(engine).generation(),
                checked_at=datetime.now(UTC),
            )
        )
    assert mapped(engine, slack_api, ALICE) == parse_ref("user:alice")


def test_finding_someone_to_mention_does_not_decide_who_a_slack_user_is(
    engine: Engine,
    tmp_path: Path,
    slack_api: LoopbackSlack,
) -> None:
    people(
        engine,
        tmp_path,
        user("alice", "alice@acme.example"),
        user("alice-twin", "alice@acme.example"),
    )
    twin = Catalog(engine).get("user:alice-twin")
    assert twin is not None
    found = resolver(engine).slack_ids(client_of(slack_api), slack_api.team_id, [person_of(twin)])
    assert found == {twin.ref: ALICE}  # mentioning her is fine...
    assert mapped(engine, slack_api, ALICE) is None  # ...but she is not "alice-twin"


def test_whoami_says_why_a_shared_email_maps_nobody(
    engine: Engine,
    tmp_path: Path,
    serve_greenroom: Serve,
) -> None:
    people(
        engine,
        tmp_path,
        user("alice", "alice@acme.example"),
        user("alice-twin", "alice@acme.example"),
    )
    ws = serve_greenroom()
    text = ws.text(ws.ask("whoami", user=ALICE))
    assert "Several catalog users have your email" in text
    assert "user:alice-twin" in text and f"slack.com/user_id: {ALICE}" in text


def test_the_workers_scheduled_sync_applies_the_same_rules(
    database_url: str, catalog: Catalog, company: Path, tmp_path: Path
) -> None:
    write(company / "repos" / "mallory-service" / "catalog-info.yaml", SERVICE + FAKE_ADMIN)
    runtime = make_runtime(
        database_url, tmp_path, catalog=catalog_config(company, org_rules=TRUSTED)
    )
    context = job_context(runtime, "catalog.sync")
    try:
        result = run_catalog_sync(context)
    finally:
        runtime.engine.dispose()
    assert result is not None and result["errors"] == 1
    assert catalog.get("user:mallory-admin") is None
    assert catalog.get("user:mallory") is not None
