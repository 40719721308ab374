"""On SQLite and PostgreSQL: a scaffolded repository registers only the kinds its template
declares (``registers``, default Component). A template author, or a team pushing to the
repository later, must not add a User or a Group to the catalog (who is an admin is decided
by groups), nor a Location pulling other files in."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog import parse_ref
from catalog.sync import sync_catalog
from integrations.errors import TemplateInvalid
from integrations.scaffolder import RegisteredLocationsSource, TemplateDirSettings
from tests.integrations.scaffolder.scaffold_company import ADA
from tests.security.template_world import PROJECT, TemplateWorld, make_world

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {{ cookiecutter.project_slug }}
spec:
  type: service
  lifecycle: experimental
  owner: {{ cookiecutter.owner }}
"""
ADMINS = """\
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: greenroom-admins
spec:
  type: team
  children: []
  members: [ada.lovelace]
"""
ADA_AS_ADMIN = """\
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: mallory
  annotations:
    slack.com/user_id: U0ADA
spec:
  profile: {email: ada.lovelace@globex.example}
  memberOf: [greenroom-admins]
"""
LOCATION = """\
---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: more
spec:
  type: url
  targets: [https://attacker.example/catalog-info.yaml, ../../other-team/catalog-info.yaml]
"""
API = """\
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: {{ cookiecutter.project_slug }}-api
spec:
  type: openapi
  lifecycle: experimental
  owner: {{ cookiecutter.owner }}
  definition: "openapi: 3.0.0"
"""


@pytest.fixture
def world(tmp_path: Path, engine: Engine) -> TemplateWorld:
    return make_world(tmp_path, engine)


def catalog_template(world: TemplateWorld, extra: str, *, metadata: str = "", **kw: bool) -> None:
    files = {f"{PROJECT}/catalog-info.yaml": COMPONENT + extra}
    if metadata:
        files["greenroom-template.yaml"] = metadata
    world.template("service", files, context={"owner": "group:x"}, **kw)


def git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (ADMINS, "group:default/greenroom-admins (kind Group)"),
        (ADA_AS_ADMIN, "user:default/mallory (kind User)"),
        (LOCATION, "location:default/more (kind Location)"),
        (API, "api:default/ledger-api (kind API)"),
    ],
)
def test_a_template_may_not_register_kinds_it_does_not_declare(
    world: TemplateWorld, extra: str, named: str
) -> None:
    catalog_template(world, extra)
    message = world.refused("service")
    assert f"catalog-info.yaml declares {named}; this template may register only Component" in (
        message
    )
    for ref in ("group:greenroom-admins", "user:mallory", "location:more", "api:ledger-api"):
        assert world.catalog.get(parse_ref(ref)) is None


def test_declared_kinds_are_registered(world: TemplateWorld) -> None:
    catalog_template(world, API, metadata="registers: [Component, API]\n")
    result = world.run("service")
    assert {str(r) for r in result.entity_refs} == {
        "component:default/ledger",
        "api:default/ledger-api",
    }
    assert world.catalog.get(parse_ref("api:ledger-api")) is not None


def test_a_template_declaring_groups_is_not_offered_without_the_operator(
    world: TemplateWorld,
) -> None:
    catalog_template(world, ADMINS, metadata="registers: [Component, Group]\n", trusted=True)
    scaffolder = world.scaffolder()
    assert scaffolder.templates(scaffolder.caller(ADA)) == []
    with pytest.raises(TemplateInvalid) as raised:
        world.run("service")
    assert (
        "registers Group entities, which say who people are and which teams they are in; "
        "only template folders marked registers_identity may"
    ) in raised.value.user_message
    world.assert_nothing_made()


def test_an_operator_may_let_a_folder_of_templates_register_groups(world: TemplateWorld) -> None:
    catalog_template(world, ADMINS, metadata="registers: [Component, Group]\n", trusted=True)
    dirs = [
        TemplateDirSettings(path=Path("templates/approved"), trusted=True, registers_identity=True)
    ]
    result = world.run("service", template_dirs=dirs)
    assert "group:default/greenroom-admins" in {str(r) for r in result.entity_refs}


def test_no_template_may_declare_a_location(world: TemplateWorld) -> None:
    catalog_template(world, LOCATION, metadata="registers: [Component, Location]\n")
    with pytest.raises(TemplateInvalid) as raised:
        world.run("service")
    assert "a new repository may not register a Location" in raised.value.user_message
    world.assert_nothing_made()


def test_a_group_pushed_later_to_a_scaffolded_repository_stays_out_of_the_catalog(
    world: TemplateWorld,
) -> None:
    catalog_template(world, "")
    result = world.run("service")
    clone = world.tmp / "clone"
    git("clone", "-q", result.repository.clone_url, str(clone))
    info = clone / "catalog-info.yaml"
    info.write_text(info.read_text() + ADMINS)
    git("-c", "user.name=M", "-c", "user.email=m@x", "commit", "-qam", "admins", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)

    source = RegisteredLocationsSource(world.engine, cache_dir=world.tmp / "cache")
    report = sync_catalog(world.engine, [source])
    assert world.catalog.get(parse_ref("group:greenroom-admins")) is None
    assert world.catalog.get(result.entity_ref) is not None
    errors = [str(p) for p in report.sources[0].errors]
    assert any(
        "group:default/greenroom-admins is of kind Group, which repositories made from the "
        "template 'service' may not register (allowed: component); it was left out" in e
        for e in errors
    )


def test_a_repository_keeps_to_its_templates_kinds_when_the_declaration_narrows(
    world: TemplateWorld,
) -> None:
    # Registered while the template declared API; once it no longer does, the next sync
    # drops the API although the repository's file did not change.
    catalog_template(world, API, metadata="registers: [Component, API]\n")
    world.run("service")
    assert world.catalog.get(parse_ref("api:ledger-api")) is not None
    (world.folder() / "service" / "greenroom-template.yaml").write_text("registers: [Component]\n")
    index = world.scaffolder().index()
    source = RegisteredLocationsSource(
        world.engine, cache_dir=world.tmp / "cache", declared_kinds=index.kinds
    )
    sync_catalog(world.engine, [source])
    assert world.catalog.get(parse_ref("api:ledger-api")) is None
    assert world.catalog.get(parse_ref("component:ledger")) is not None


def test_the_sync_reads_what_each_template_declares(world: TemplateWorld) -> None:
    catalog_template(world, API, metadata="registers: [Component, API]\n")
    world.run("service")
    source = RegisteredLocationsSource(
        world.engine,
        cache_dir=world.tmp / "cache",
        declared_kinds=world.scaffolder().index().kinds,
    )
    report = sync_catalog(world.engine, [source])
    assert report.sources[0].errors == []
    assert world.catalog.get(parse_ref("api:ledger-api")) is not None
