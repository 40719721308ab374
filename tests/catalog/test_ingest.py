from __future__ import annotations

from typing import Any

import pytest

from catalog import InvalidEntity
from catalog.ingest import parse_entity


def doc(kind: str, spec: dict[str, Any] | None = None, **metadata: Any) -> dict[str, Any]:
    api = "scaffolder.backstage.io/v1beta3" if kind == "Template" else "backstage.io/v1alpha1"
    result: dict[str, Any] = {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": "x", **metadata},
    }
    if spec is not None:
        result["spec"] = spec
    return result


def edges(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(str(e.source), e.type, str(e.target)) for e in parse_entity(document).edges}


VALID = {
    "Component": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    "API": {"type": "openapi", "lifecycle": "production", "owner": "team-a", "definition": "x"},
    "Resource": {"type": "database", "owner": "team-a"},
    "System": {"owner": "team-a"},
    "Domain": {"owner": "team-a"},
    "Group": {"type": "team", "children": []},
    "User": {"memberOf": []},
    "Location": {"targets": ["./a.yaml"]},
    "Template": {"type": "service", "steps": []},
}


@pytest.mark.parametrize("kind", sorted(VALID))
def test_each_builtin_kind_accepts_its_minimal_spec(kind: str) -> None:
    assert parse_entity(doc(kind, VALID[kind])).entity.kind == kind


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, spec in VALID.items() if kind != "Location" for field in spec],
)
def test_each_required_spec_field_is_required(kind: str, field: str) -> None:
    spec = {k: v for k, v in VALID[kind].items() if k != field}
    with pytest.raises(InvalidEntity) as caught:
        parse_entity(doc(kind, spec))
    assert caught.value.field == f"spec.{field}"
    assert f'"spec.{field}"' in str(caught.value)


def test_other_kinds_are_kept_generically_with_the_relations_common_fields_imply() -> None:
    spec = {
        "type": "dataset",
        "owner": "data-team",
        "system": "analytics",
        "domain": "finance/ledger",
        "dependsOn": ["resource:warehouse"],
        "dependencyOf": ["component:reports"],
        "anything": [1, 2],
    }
    parsed = parse_entity(doc("Dataset", spec, namespace="data"))
    assert parsed.entity.spec_str("type") == "dataset"
    assert edges(doc("Dataset", spec, namespace="data")) == {
        ("dataset:data/x", "ownedBy", "group:data/data-team"),
        ("dataset:data/x", "partOf", "system:data/analytics"),
        ("dataset:data/x", "partOf", "domain:finance/ledger"),
        ("dataset:data/x", "dependsOn", "resource:data/warehouse"),
        ("component:data/reports", "dependsOn", "dataset:data/x"),
    }


def test_other_kinds_without_those_fields_emit_nothing() -> None:
    assert parse_entity(doc("Pipeline", {"schedule": "@daily", "owner_team": 3})).edges == ()


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        ({"owner": "group:"}, "spec.owner", '"spec.owner" is not a valid reference'),
        ({"dependsOn": ["warehouse"]}, "spec.dependsOn[0]", "is not a valid reference"),
        ({"owner": {"team": "a"}}, "spec.owner", '"spec.owner" must be a string'),
        ({"dependsOn": "resource:x"}, "spec.dependsOn", "must be a list of references"),
        ({"dependencyOf": ["component:a", 7]}, "spec.dependencyOf[1]", "must be a string"),
    ],
)
def test_other_kinds_with_invalid_refs_are_rejected_as_built_in_kinds_are(
    spec: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidEntity) as caught:
        parse_entity(doc("Dataset", spec))
    assert caught.value.field == field
    assert message in caught.value.message


def test_ai_resources_relate_as_the_ai_model_module_declares() -> None:
    skill = {
        "type": "skill",
        "lifecycle": "production",
        "owner": "user:jane",
        "system": "portal",
        "dependsOn": ["base-skill", "airesource:other/shared"],
    }
    assert edges(doc("AiResource", skill)) == {
        ("airesource:default/x", "ownedBy", "user:default/jane"),
        ("airesource:default/x", "partOf", "system:default/portal"),
        ("airesource:default/x", "dependsOn", "airesource:default/base-skill"),
        ("airesource:default/x", "dependsOn", "airesource:other/shared"),
    }
    rule = {
        "type": "rule",
        "lifecycle": "production",
        "owner": "team-a",
        "category": "architecture",
        "rationale": "consistent clients",
        "dependsOn": ["base-skill"],
    }
    assert edges(doc("AiResource", rule)) == {
        ("airesource:default/x", "ownedBy", "group:default/team-a")
    }


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"type": "skill", "lifecycle": "production"}, "spec.owner"),
        (
            {"type": "rule", "lifecycle": "production", "owner": "a", "category": "x"},
            "spec.rationale",
        ),
    ],
)
def test_ai_resources_are_validated_like_the_module_validates_them(
    spec: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidEntity) as caught:
        parse_entity(doc("AiResource", spec))
    assert caught.value.field == field


def test_the_older_ai_resource_spelling_is_an_other_kind() -> None:
    parsed = parse_entity(doc("AIResource", {"owner": "team-a", "dependsOn": ["resource:db"]}))
    assert {e.type for e in parsed.edges} == {"ownedBy", "dependsOn"}


def test_builtin_kinds_are_matched_case_sensitively_with_a_hint() -> None:
    with pytest.raises(InvalidEntity, match="did you mean 'Component'"):
        parse_entity(doc("component", VALID["Component"]))


def test_unknown_api_version_of_a_builtin_kind_names_the_expected_ones() -> None:
    document = doc("Component", VALID["Component"]) | {"apiVersion": "backstage.io/v2"}
    with pytest.raises(InvalidEntity, match=r"backstage\.io/v1alpha1 or backstage\.io/v1beta1"):
        parse_entity(document)


def test_root_fields_other_than_the_envelope_are_rejected() -> None:
    with pytest.raises(InvalidEntity, match="Unknown field relations"):
        parse_entity(doc("Component", VALID["Component"]) | {"relations": []})


def test_the_api_may_send_relations_and_status() -> None:
    document = doc("Component", VALID["Component"]) | {
        "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}],
        "status": {"items": []},
    }
    parsed = parse_entity(document, from_api=True)
    assert {(e.type, str(e.target)) for e in parsed.edges} == {("ownedBy", "group:default/team-a")}


@pytest.mark.parametrize("document", [[1, 2], "text", 42, None])
def test_a_document_that_is_not_a_mapping_says_so(document: object) -> None:
    with pytest.raises(InvalidEntity, match="Expected object at root"):
        parse_entity(document)


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"name": "my service"}, "metadata.name"),
        ({"name": "x" * 64}, "metadata.name"),
        ({"namespace": "Not_OK"}, "metadata.namespace"),
        ({"labels": {"k": "bad value"}}, "metadata.labels.k"),
        ({"annotations": {"bad key!": "v"}}, "metadata.annotations"),
        ({"tags": ["Java"]}, "metadata.tags[0]"),
        ({"links": [{"url": "not a url"}]}, "metadata.links[0].url"),
    ],
)
def test_metadata_rules(metadata: dict[str, Any], field: str) -> None:
    document = doc("Component", VALID["Component"])
    document["metadata"].update(metadata)
    with pytest.raises(InvalidEntity) as caught:
        parse_entity(document)
    assert caught.value.field == field
    assert "expected" in str(caught.value) and "found" in str(caught.value)


def test_wrong_types_name_the_field_and_what_was_found() -> None:
    with pytest.raises(InvalidEntity, match=r'"metadata.annotations.a" must be a string, found 1'):
        parse_entity(doc("Component", VALID["Component"], annotations={"a": 1}))


def test_missing_metadata_name() -> None:
    document = doc("Component", VALID["Component"])
    del document["metadata"]["name"]
    with pytest.raises(InvalidEntity, match=r'"metadata\.name" is required'):
        parse_entity(document)


def test_depends_on_requires_a_kind() -> None:
    spec = VALID["Component"] | {"dependsOn": ["artists-db"]}
    with pytest.raises(InvalidEntity, match=r'"spec.dependsOn\[0\]" is not a valid reference'):
        parse_entity(doc("Component", spec))


def test_component_relations_with_default_kinds_and_both_directions_stored_once() -> None:
    spec = VALID["Component"] | {
        "system": "audio",
        "subcomponentOf": "player",
        "providesApis": ["play-api"],
        "consumesApis": ["default/other-api"],
        "dependsOn": ["resource:db", "Component:Cache"],
        "dependencyOf": ["component:frontend"],
        "owner": "user:jane",
    }
    assert edges(doc("Component", spec)) == {
        ("component:default/x", "ownedBy", "user:default/jane"),
        ("component:default/x", "partOf", "system:default/audio"),
        ("component:default/x", "partOf", "component:default/player"),
        ("component:default/x", "providesApi", "api:default/play-api"),
        ("component:default/x", "consumesApi", "api:default/other-api"),
        ("component:default/x", "dependsOn", "resource:default/db"),
        ("component:default/x", "dependsOn", "component:default/cache"),
        # dependencyOf is stored as the other side's dependsOn
        ("component:default/frontend", "dependsOn", "component:default/x"),
    }


def test_refs_default_to_the_entitys_own_namespace() -> None:
    document = doc("Component", VALID["Component"] | {"system": "audio"}, namespace="media")
    assert ("component:media/x", "partOf", "system:media/audio") in edges(document)
    assert ("component:media/x", "ownedBy", "group:media/team-a") in edges(document)


def test_group_and_user_relations() -> None:
    group = doc("Group", {"type": "team", "parent": "org", "children": ["sub"], "members": ["ann"]})
    assert edges(group) == {
        ("group:default/x", "childOf", "group:default/org"),
        ("group:default/sub", "childOf", "group:default/x"),
        ("user:default/ann", "memberOf", "group:default/x"),
    }
    user = doc("User", {"memberOf": ["team-a", "group:other/team-b"]})
    assert edges(user) == {
        ("user:default/x", "memberOf", "group:default/team-a"),
        ("user:default/x", "memberOf", "group:other/team-b"),
    }


def test_system_domain_resource_template_relations() -> None:
    assert edges(doc("System", {"owner": "t", "domain": "d"})) == {
        ("system:default/x", "ownedBy", "group:default/t"),
        ("system:default/x", "partOf", "domain:default/d"),
    }
    assert ("domain:default/x", "partOf", "domain:default/parent") in edges(
        doc("Domain", {"owner": "t", "subdomainOf": "parent"})
    )
    resource = doc("Resource", {"type": "db", "owner": "t", "dependencyOf": ["component:app"]})
    assert ("component:default/app", "dependsOn", "resource:default/x") in edges(resource)
    assert ("template:default/x", "ownedBy", "group:default/t") in edges(
        doc("Template", {"type": "service", "steps": [], "owner": "t"})
    )


def test_mcp_server_apis_need_remotes_instead_of_a_definition() -> None:
    spec = {
        "type": "mcp-server",
        "lifecycle": "experimental",
        "owner": "t",
        "remotes": [{"type": "streamable-http", "url": "http://localhost/mcp"}],
    }
    assert parse_entity(doc("API", spec)).entity.spec["remotes"]
    with pytest.raises(InvalidEntity, match="remotes"):
        parse_entity(doc("API", {k: v for k, v in spec.items() if k != "remotes"}))


def test_extra_spec_fields_are_kept() -> None:
    spec = VALID["Component"] | {"apiConsumedBy": ["component:www-artist"]}
    assert parse_entity(doc("Component", spec)).document["spec"]["apiConsumedBy"] == [
        "component:www-artist"
    ]
