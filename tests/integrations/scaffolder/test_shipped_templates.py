"""The shipped templates produce projects that pass their own tests and lint, build their docs
strictly, and carry what the portal relies on (catalog entry, Kubernetes labels)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from catalog.sources import FileReader, Origin
from catalog.yaml_reader import YamlLimits
from integrations.scaffolder import RenderLimits, discover_templates, render_project

SHIPPED = discover_templates([], base_dir=Path.cwd())
LONGEST = "a" + "-b2" * 20 + "c"  # 62 characters: long lines must still pass lint

CASES = {
    "service": ("python-service", {"project_slug": "payments-api", "system": "system:payments"}),
    "library-cli": ("python-library", {"project_slug": "money-utils", "include_cli": True}),
    "library-long": ("python-library", {"project_slug": LONGEST, "license": "MIT"}),
    "job": ("data-job", {"project_slug": "orders-export", "output_format": "csv"}),
    "dag": ("airflow-dag", {"project_slug": "orders-hourly", "schedule": "@hourly"}),
}


def render(tmp_path: Path, case: str) -> Path:
    template_id, answers = CASES[case]
    answers = {
        "description": 'Owned by "payments": quotes, colons & {{ braces }} stay text.',
        "owner": "group:payments-core",
    } | answers
    rendered = render_project(
        SHIPPED.get(template_id), answers, work_dir=tmp_path / "work", limits=RenderLimits(60)
    )
    return rendered.path


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project.parent),
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_MKDOCS_2_WARNING": "1",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_generated_project_passes_its_own_tests_and_lint(tmp_path: Path, case: str) -> None:
    project = render(tmp_path, case)
    tests = run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    lint = run(project, "-m", "ruff", "check", "--no-cache", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatted = run(project, "-m", "ruff", "format", "--check", "--no-cache", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.mark.parametrize("case", ["service", "library-cli", "job", "dag"])
def test_the_generated_docs_build_strictly(tmp_path: Path, case: str) -> None:
    project = render(tmp_path, case)
    built = run(project, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site"))
    assert built.returncode == 0, built.stdout + built.stderr
    assert (tmp_path / "site" / "index.html").is_file()


@pytest.mark.parametrize("case", ["service", "library-cli", "job", "dag"])
def test_the_catalog_entry_is_valid_and_annotated(tmp_path: Path, case: str) -> None:
    project = render(tmp_path, case)
    data = (project / "catalog-info.yaml").read_bytes()
    origin = Origin("test", "file:catalog-info.yaml", entity_dir=str(project))
    scanned = FileReader({}, YamlLimits()).read(
        "catalog-info.yaml", data, origin=origin, root=str(project)
    )
    assert scanned.problems == []
    [entity] = [s.parsed.entity for s in scanned.entities if s.parsed.entity.kind == "Component"]
    assert entity.metadata.description == (
        'Owned by "payments": quotes, colons & {{ braces }} stay text.'
    )
    assert entity.spec_str("owner") == "group:payments-core"
    assert entity.annotation("backstage.io/techdocs-ref") == "dir:."
    if case in ("service", "job"):
        assert entity.annotation("backstage.io/kubernetes-id") == entity.metadata.name
    if case == "dag":
        assert entity.annotation("greenroom.dev/airflow-dag-id") == "orders_hourly"
    if case in ("job", "dag"):  # a pipeline registers the dataset it writes (docs/pipelines.md)
        assert entity.spec_str("type") == "data-pipeline"
        output = f"{entity.metadata.name}-output"
        assert entity.spec["dependencyOf"] == [f"resource:{output}"]
        resources = [
            s.parsed.entity for s in scanned.entities if s.parsed.entity.kind == "Resource"
        ]
        assert [(r.metadata.name, r.spec_str("type")) for r in resources] == [(output, "dataset")]


@pytest.mark.parametrize("case", ["service", "job"])
def test_every_kubernetes_object_carries_the_catalogs_label(tmp_path: Path, case: str) -> None:
    project = render(tmp_path, case)
    name = CASES[case][1]["project_slug"]
    kinds = set()
    for manifest in sorted((project / "k8s").glob("*.yaml")):
        for document in yaml.safe_load_all(manifest.read_text()):
            if document["kind"] == "Kustomization":
                continue
            kinds.add(document["kind"])
            assert document["metadata"]["labels"]["backstage.io/kubernetes-id"] == name
            pods = document.get("spec", {}).get("template") or (
                document.get("spec", {}).get("jobTemplate", {}).get("spec", {}).get("template")
            )
            if pods:
                assert pods["metadata"]["labels"]["backstage.io/kubernetes-id"] == name
    expected = (
        {"Deployment", "Service", "HorizontalPodAutoscaler"}
        if case == "service"
        else {
            "CronJob",
            "PersistentVolumeClaim",
        }
    )
    assert kinds == expected


def test_the_library_leaves_out_what_was_not_asked_for(tmp_path: Path) -> None:
    with_cli = render(tmp_path / "a", "library-cli")
    long_name = render(tmp_path / "b", "library-long")
    package = LONGEST.replace("-", "_")
    assert (with_cli / "src" / "money_utils" / "cli.py").is_file()
    assert not (with_cli / "LICENSE").exists()
    assert not (long_name / "src" / package / "cli.py").exists()
    assert (long_name / "LICENSE").read_text().startswith("MIT License")
