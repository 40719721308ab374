"""Which Kubernetes objects belong to a catalog entity, exactly as Backstage decides it.

Backstage (``KubernetesFanOutHandler``): the label selector annotation if present, otherwise
``backstage.io/kubernetes-id=<id>`` with the id annotation or, failing that, the entity name;
the namespace annotation limits every list to one namespace. Unlike Backstage, an entity with
no Kubernetes annotation at all is *not* looked up by its name: it gets a clear "no Kubernetes
annotations" answer instead of an empty search of every cluster (Backstage's own UI hides its
Kubernetes tab for such entities, ``isKubernetesAvailable``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalog import Entity, InvalidEntity
from catalog.annotations import (
    KUBERNETES_ID,
    KUBERNETES_LABEL_SELECTOR as LABEL_SELECTOR,
    KUBERNETES_NAMESPACE as NAMESPACE,
)

__all__ = [
    "KUBERNETES_ID",
    "LABEL_SELECTOR",
    "NAMESPACE",
    "WorkloadSelector",
    "id_selector",
    "namespaces_to_read",
    "selector_for",
]


_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_MAX_SELECTOR = 2048


@dataclass(frozen=True, slots=True)
class WorkloadSelector:
    """How to find an entity's objects: a label selector, maybe limited to one namespace.

    ``kubernetes_id`` is set when the selector is the id form, which the sweep can batch."""

    label_selector: str
    namespace: str | None = None
    kubernetes_id: str | None = None


def selector_for(entity: Entity) -> WorkloadSelector | None:
    """The entity's selector, or None when it has no Kubernetes annotations."""
    annotations = {k: v.strip() for k, v in entity.metadata.annotations.items()}
    custom = annotations.get(LABEL_SELECTOR) or None
    kube_id = annotations.get(KUBERNETES_ID) or None
    namespace = annotations.get(NAMESPACE) or None
    if custom is None and kube_id is None and namespace is None:
        return None
    if namespace is not None and (len(namespace) > 63 or not _NAMESPACE.match(namespace)):
        raise _invalid(entity, NAMESPACE, "a Kubernetes namespace name", namespace)
    if custom is not None:
        if len(custom) > _MAX_SELECTOR or any(ch in custom for ch in "\r\n\t\0"):
            raise _invalid(entity, LABEL_SELECTOR, "a one-line Kubernetes label selector", custom)
        return WorkloadSelector(custom, namespace)
    value = kube_id or entity.metadata.name
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise _invalid(entity, KUBERNETES_ID, "a Kubernetes label value (63 chars max)", value)
    return WorkloadSelector(f"{KUBERNETES_ID}={value}", namespace, value)


def id_selector(ids: Sequence[str]) -> str:
    """One selector for many ids: ``backstage.io/kubernetes-id in (a,b)``."""
    return f"{KUBERNETES_ID} in ({','.join(sorted(set(ids)))})"


def namespaces_to_read(namespace: str | None, allowlist: Sequence[str] | None) -> list[str | None]:
    """The namespaces to list in one cluster (``None`` = all); empty when none is allowed."""
    if namespace is not None:
        return [namespace] if allowlist is None or namespace in allowlist else []
    return [None] if allowlist is None else list(allowlist)


def _invalid(entity: Entity, key: str, expected: str, found: str) -> InvalidEntity:
    return InvalidEntity(
        f"{entity.ref.short}: annotation {key} must be {expected}, found {found[:100]!r}",
        field=f"metadata.annotations.{key}",
        expected=expected,
        found=found[:100],
    )
