"""The bundled example company is big enough to be realistic, and its mistakes are reported."""

from __future__ import annotations

from catalog import Catalog
from catalog.sync import SyncReport


def test_it_has_the_promised_size(globex_catalog: Catalog) -> None:
    counts = globex_catalog.count_by_kind()
    assert counts["domain"] >= 3 and counts["system"] >= 6
    assert counts["component"] >= 25 and counts["api"] >= 10 and counts["resource"] >= 8
    assert counts["group"] >= 10 and counts["user"] >= 30


def test_it_has_an_organisation_tribes_and_squads(globex_catalog: Catalog) -> None:
    types = {e.entity.spec["type"] for e in globex_catalog.entities(kinds=["group"])}
    assert {"organisation", "tribe", "squad"} <= types


def test_its_deliberate_mistakes_are_reported_without_failing(globex: SyncReport) -> None:
    assert globex.status == "ok" and globex.exit_code == 0
    errors = sorted(str(p) for s in globex.sources for p in s.errors)
    assert len(errors) == 2
    assert errors[0].startswith('apis/reports-export.yaml:4: "spec.definition" is required')
    assert errors[1].startswith('repos/legacy-billing/catalog-info.yaml:6: "metadata.name"')
    assert {d.missing for d in globex.dangling} == {
        "resource:default/legacy-mainframe",
        "group:default/ghost-squad",
    }


def test_services_carry_kubernetes_and_techdocs_annotations(globex_catalog: Catalog) -> None:
    services = [
        e
        for e in globex_catalog.entities(kinds=["component"])
        if e.entity.spec.get("type") == "service"
    ]
    with_k8s = [
        e
        for e in services
        if e.entity.annotation("backstage.io/kubernetes-id")
        or e.entity.annotation("backstage.io/kubernetes-label-selector")
    ]
    with_docs = [e for e in services if e.entity.annotation("backstage.io/techdocs-ref")]
    assert len(with_k8s) >= len(services) * 2 // 3
    assert len(with_docs) >= len(services) // 2
