from __future__ import annotations

from pathlib import Path

import pytest

from catalog import ConfigError, Entity
from catalog.source_config import BackstageSourceConfig, LocationSourceConfig
from runtime.settings import load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_file_with_relative_paths_anchored_at_its_folder(tmp_path: Path) -> None:
    config = write(
        tmp_path / "greenroom.yaml",
        "database_url: sqlite:///data/g.db\n"
        "catalog:\n  sources:\n    - {name: c, type: location, path: cat/all.yaml}\n",
    )
    settings = load_settings(config, environ={})
    assert settings.config_dir == tmp_path.resolve()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/data/g.db"
    (source,) = settings.catalog.sources
    assert isinstance(source, LocationSourceConfig) and source.path == Path("cat/all.yaml")


def test_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / "greenroom.yaml", "database_url: sqlite:///file.db\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/greenroom")
    assert load_settings(config).database_url == "postgresql://db.example/greenroom"


def test_tokens_come_from_the_named_environment_variable(tmp_path: Path) -> None:
    source = "{name: bs, type: backstage, base_url: 'https://bs', token_env: BS_TOKEN}"
    config = write(tmp_path / "greenroom.yaml", f"catalog:\n  sources:\n    - {source}\n")
    settings = load_settings(config, environ={"BS_TOKEN": "t0ken"})
    (source,) = settings.catalog.sources
    assert isinstance(source, BackstageSourceConfig)
    assert source.token is not None and source.token.get_secret_value() == "t0ken"
    assert "t0ken" not in repr(settings) and "t0ken" not in settings.model_dump_json()


def test_the_ad_hoc_backstage_token_comes_only_from_its_variable(tmp_path: Path) -> None:
    config = write(tmp_path / "greenroom.yaml", "catalog:\n  adhoc_backstage_token: in-yaml\n")
    settings = load_settings(config, environ={"GREENROOM_BACKSTAGE_TOKEN": "t0ken"})
    token = settings.catalog.adhoc_backstage_token
    assert token is not None and token.get_secret_value() == "t0ken"
    assert load_settings(config, environ={}).catalog.adhoc_backstage_token is None
    assert "t0ken" not in settings.model_dump_json()


def test_the_removal_guard_and_grace_are_settings_with_a_per_source_guard(
    tmp_path: Path,
) -> None:
    config = write(
        tmp_path / "greenroom.yaml",
        "catalog:\n  removal_guard: {share: 0.5, floor: 100}\n  removed_source_grace_days: 1\n"
        "  sources:\n    - {name: c, type: backstage, base_url: 'https://bs', timeout_seconds: 5,"
        " removal_guard: {share: 0.05, floor: 3}}\n",
    )
    catalog = load_settings(config, environ={}).catalog
    assert (catalog.removal_guard.share, catalog.removal_guard.floor) == (0.5, 100)
    assert catalog.removed_source_grace_days == 1
    (source,) = catalog.sources
    assert isinstance(source, BackstageSourceConfig) and source.timeout_seconds == 5
    assert source.removal_guard is not None and source.removal_guard.floor == 3


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("catalog: [1, 2]", "catalog"),
        ("unknown_key: 1", "unknown_key"),
        ("catalog: {removal_guard: {share: 0}}", "catalog.removal_guard.share"),
        ("catalog: {removal_guard: {floor: -1}}", "catalog.removal_guard.floor"),
        ("catalog:\n  sources:\n    - {name: 'bad name!', type: directory, path: .}", "name"),
        ("catalog:\n  max_file_bytes: 10", "max_file_bytes"),
        ("- just a list", "must hold a mapping"),
        ("a: [unclosed", "not valid YAML"),
        ("catalog:\n  rules: [{allow: [User], locations: []}]", "locations"),
        ("catalog:\n  sources:\n    - {name: o, type: directory, path: ., rules: [User]}", "rules"),
        (
            "catalog:\n  sources:\n    - {name: a, type: directory, path: .}\n"
            "    - {name: a, type: directory, path: ..}",
            "used more than once: ['a']",
        ),
    ],
)
def test_bad_settings_say_which_field(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path / "greenroom.yaml", text), environ={})
    assert fragment in caught.value.user_message


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No config file at"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_catalog_rules_are_read_globally_and_per_source(tmp_path: Path) -> None:
    config = write(
        tmp_path / "greenroom.yaml",
        "catalog:\n"
        "  rules: [{allow: [Component, {kind: Resource, spec.type: database}]}]\n"
        "  sources:\n"
        "    - {name: org, type: directory, path: org, rules: [{allow: [User, Group]}]}\n"
        "    - {name: repos, type: directory, path: repos}\n",
    )
    rules = load_settings(config, environ={}).catalog.rule_set

    def allowed(source: str, kind: str, spec_type: str = "service") -> bool:
        document = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}}
        entity = Entity.model_validate(document | {"spec": {"type": spec_type}})
        return rules.for_source(source).allows(entity)

    assert allowed("org", "User") and allowed("org", "Group") and allowed("org", "Component")
    assert not allowed("repos", "User") and not allowed("repos", "System")
    assert allowed("repos", "Resource", "database") and not allowed("repos", "Resource", "s3")
