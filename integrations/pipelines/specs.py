"""Pipelines and datasets in the catalog: a pipeline is a Component whose ``spec.type`` is in
``PIPELINE_TYPES``; a dataset is a Resource whose type is in ``DATASET_TYPES``. A pipeline
reads what it ``dependsOn`` and writes what it is a ``dependencyOf`` (a dataset that
``dependsOn`` the pipeline says the same thing)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from catalog import Catalog, EntityRef, InvalidEntity, StoredEntity
from catalog.annotations import (
    AIRFLOW_DAG_ID,
    AIRFLOW_INSTANCE,
    EXPECTED_INTERVAL,
    KUBERNETES_ID,
    KUBERNETES_LABEL_SELECTOR,
    KUBERNETES_NAMESPACE,
)
from catalog.relations import DEPENDENCY_OF, DEPENDS_ON
from catalog.store import EntitySummary
from integrations.pipelines.model import DATASET_TYPES, PIPELINE_TYPES, PipelineSpec
from integrations.pipelines.schedules import parse_duration

__all__ = ["is_dataset", "is_pipeline", "pipeline_specs", "spec_of"]


def is_pipeline(summary: EntitySummary) -> bool:
    """A Component of a pipeline type."""
    return summary.ref.kind == "component" and (summary.spec_type or "") in PIPELINE_TYPES


def is_dataset(summary: EntitySummary) -> bool:
    """A Resource of a dataset type (or a resource ref that is not in the catalog)."""
    if summary.ref.kind != "resource":
        return False
    return not summary.exists or (summary.spec_type or "") in DATASET_TYPES


def spec_of(catalog: Catalog, stored: StoredEntity) -> PipelineSpec:
    """One pipeline's spec; InvalidEntity when an annotation is malformed."""
    specs, invalid = pipeline_specs(catalog, [stored])
    if invalid:
        raise invalid[0][1]
    return specs[0]


def pipeline_specs(
    catalog: Catalog, stored: Collection[StoredEntity] | None = None
) -> tuple[list[PipelineSpec], list[tuple[EntityRef, InvalidEntity]]]:
    """Every pipeline in the catalog (or those of ``stored``), with the datasets it touches,
    in one read of their relations; and those whose annotations are malformed, with why."""
    if stored is None:
        stored = [s for s in catalog.entities(kinds=["component"]) if is_pipeline(s.summary)]
    entities = {s.ref: s for s in stored}
    around = catalog.neighbours(entities, outgoing={DEPENDS_ON}, incoming={DEPENDS_ON})
    touched = {target for edges in around.values() for _, target in edges}
    summaries, owners = catalog.summaries_and_owners({*touched, *entities})
    intervals = catalog.annotations([r for r in touched if r.kind == "resource"], EXPECTED_INTERVAL)
    specs: list[PipelineSpec] = []
    invalid: list[tuple[EntityRef, InvalidEntity]] = []
    for ref, item in entities.items():
        reads, writes = [], []
        for relation, target in sorted(around.get(ref, ())):
            if not is_dataset(summaries.get(target) or EntitySummary.missing(target)):
                continue
            if relation == DEPENDS_ON:
                reads.append(target)
            elif relation == DEPENDENCY_OF:
                writes.append(target)
        try:
            dataset_intervals = tuple(
                (target, interval)
                for target in writes
                if (interval := _interval(intervals.get(target), target)) is not None
            )
            spec = _spec(item, owners.get(ref), tuple(reads), tuple(writes), dataset_intervals)
        except InvalidEntity as error:
            invalid.append((ref, error))
            continue
        specs.append(spec)
    return sorted(specs, key=lambda s: s.ref), invalid


def _spec(
    stored: StoredEntity,
    owner: EntityRef | None,
    reads: tuple[EntityRef, ...],
    writes: tuple[EntityRef, ...],
    dataset_intervals: tuple[tuple[EntityRef, timedelta], ...],
) -> PipelineSpec:
    entity = stored.entity

    def value(key: str) -> str | None:
        found = entity.annotation(key)
        return found.strip() or None if isinstance(found, str) else None

    kube_id = value(KUBERNETES_ID)
    selector = value(KUBERNETES_LABEL_SELECTOR)
    return PipelineSpec(
        ref=stored.ref,
        title=entity.display_name,
        owner=owner,
        dag_id=value(AIRFLOW_DAG_ID),
        airflow=value(AIRFLOW_INSTANCE),
        kubernetes_id=kube_id,
        kubernetes_namespace=value(KUBERNETES_NAMESPACE),
        label_selector=selector,
        expected_interval=_interval(value(EXPECTED_INTERVAL), stored.ref),
        reads=reads,
        writes=writes,
        dataset_intervals=dataset_intervals,
    )


def _interval(text: str | None, where: EntityRef) -> timedelta | None:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise InvalidEntity(
            f"{where.short}: annotation {EXPECTED_INTERVAL}: {error}",
            field=f"metadata.annotations.{EXPECTED_INTERVAL}",
            expected="a duration such as 30m, 6h, 1d or 2w",
            found=(text or "")[:100],
        ) from None
