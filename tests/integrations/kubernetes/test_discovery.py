"""Which objects belong to an entity: Backstage's annotations, and the cluster allowlists."""

from __future__ import annotations

import pytest

from bot.loopback.kubernetes_objects import component
from catalog import InvalidEntity
from integrations.kubernetes import WorkloadSelector, selector_for
from integrations.kubernetes.discovery import id_selector, namespaces_to_read

ID = "backstage.io/kubernetes-id"
SELECTOR = "backstage.io/kubernetes-label-selector"
NAMESPACE = "backstage.io/kubernetes-namespace"


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        ({ID: "pay"}, WorkloadSelector(f"{ID}=pay", None, "pay")),
        (
            {NAMESPACE: "payments"},
            WorkloadSelector(f"{ID}=payments-api", "payments", "payments-api"),
        ),
        ({SELECTOR: "app=pay,tier=web", ID: "pay"}, WorkloadSelector("app=pay,tier=web")),
        ({SELECTOR: "app=pay", NAMESPACE: "payments"}, WorkloadSelector("app=pay", "payments")),
        ({ID: "  pay  "}, WorkloadSelector(f"{ID}=pay", None, "pay")),
        (
            {ID: "", NAMESPACE: "payments"},
            WorkloadSelector(f"{ID}=payments-api", "payments", "payments-api"),
        ),
    ],
    ids=[
        "id",
        "namespace-only-uses-name",
        "selector-wins",
        "selector-in-namespace",
        "trimmed",
        "empty-id",
    ],
)
def test_selector_follows_backstage(
    annotations: dict[str, str], expected: WorkloadSelector
) -> None:
    assert selector_for(component("payments-api", annotations)) == expected


def test_no_kubernetes_annotation_means_no_selector() -> None:
    entity = component("payments-api", {"backstage.io/techdocs-ref": "dir:."})

    assert selector_for(entity) is None


@pytest.mark.parametrize(
    ("annotations", "field"),
    [
        ({ID: "pay api"}, ID),
        ({ID: "x" * 64}, ID),
        ({NAMESPACE: "Payments"}, NAMESPACE),
        ({SELECTOR: "app=pay\nevil=1"}, SELECTOR),
    ],
)
def test_malformed_annotations_are_rejected_with_the_field(
    annotations: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidEntity) as raised:
        selector_for(component("payments-api", annotations))

    assert raised.value.field == f"metadata.annotations.{field}"


def test_many_ids_make_one_set_based_selector() -> None:
    assert id_selector(["b", "a", "b"]) == f"{ID} in (a,b)"


@pytest.mark.parametrize(
    ("namespace", "allowlist", "expected"),
    [
        (None, None, [None]),
        ("payments", None, ["payments"]),
        (None, ["payments", "checkout"], ["payments", "checkout"]),
        ("payments", ["payments", "checkout"], ["payments"]),
        ("kube-system", ["payments"], []),
    ],
)
def test_namespaces_to_read_intersect_annotation_and_allowlist(
    namespace: str | None, allowlist: list[str] | None, expected: list[str | None]
) -> None:
    assert namespaces_to_read(namespace, allowlist) == expected
