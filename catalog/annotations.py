"""Well-known annotation keys, defined once: Backstage's own, the ecosystem plugins' that
greenroom reads, and greenroom's own (``greenroom.dev/...``). Add a key here, not in the module
that first reads it, so every reader agrees on its spelling."""

from __future__ import annotations

__all__ = [
    "AIRFLOW_DAG_ID",
    "AIRFLOW_DATASET_URI",
    "AIRFLOW_INSTANCE",
    "EXPECTED_INTERVAL",
    "GITHUB_PROJECT_SLUG",
    "GITHUB_TEAM_SLUG",
    "GITLAB_GROUP_PATH",
    "GITLAB_PROJECT_SLUG",
    "KUBERNETES_ID",
    "KUBERNETES_LABEL_SELECTOR",
    "KUBERNETES_NAMESPACE",
    "MANAGED_BY_LOCATION",
    "MANAGED_BY_ORIGIN_LOCATION",
    "OPENLINEAGE_NAME",
    "OPENLINEAGE_NAMESPACE",
    "PAGERDUTY_SERVICE_ID",
    "PROCESSING_ERROR_TYPE",
    "SLACK_CHANNEL",
    "SLACK_USER_ID",
    "SOURCE_LOCATION",
    "TECHDOCS_REF",
]

# Backstage's own (catalog-model's ANNOTATION_* constants)
MANAGED_BY_LOCATION = "backstage.io/managed-by-location"
MANAGED_BY_ORIGIN_LOCATION = "backstage.io/managed-by-origin-location"
SOURCE_LOCATION = "backstage.io/source-location"
TECHDOCS_REF = "backstage.io/techdocs-ref"
KUBERNETES_ID = "backstage.io/kubernetes-id"
KUBERNETES_LABEL_SELECTOR = "backstage.io/kubernetes-label-selector"
KUBERNETES_NAMESPACE = "backstage.io/kubernetes-namespace"
#: the ``type`` of an entity's ``status.items`` entry that reports a processing error
PROCESSING_ERROR_TYPE = "backstage.io/catalog-processing"

# Source hosting (Backstage's GitHub and GitLab integrations)
GITHUB_PROJECT_SLUG = "github.com/project-slug"
GITHUB_TEAM_SLUG = "github.com/team-slug"
GITLAB_PROJECT_SLUG = "gitlab.com/project-slug"
GITLAB_GROUP_PATH = "gitlab.com/group-path"

# Slack (the conventions of Backstage's Slack plugins)
SLACK_USER_ID = "slack.com/user_id"
SLACK_CHANNEL = "slack.com/channel"

# Data pipelines (docs/pipelines.md). Backstage's Airflow plugin takes DAG ids as a prop and
# defines no annotation, and OpenLineage has no Backstage convention, so these are greenroom's.
#: the Airflow DAG a pipeline Component runs as
AIRFLOW_DAG_ID = "greenroom.dev/airflow-dag-id"
#: which configured Airflow (``pipelines.airflow[].name``) runs it; default: the first
AIRFLOW_INSTANCE = "greenroom.dev/airflow-instance"
#: the Airflow dataset URI a dataset Resource is (``Dataset("s3://...")`` in DAG files)
AIRFLOW_DATASET_URI = "greenroom.dev/airflow-dataset-uri"
#: the OpenLineage namespace and name of a job (pipeline) or dataset, as Marquez knows it
OPENLINEAGE_NAMESPACE = "greenroom.dev/openlineage-namespace"
OPENLINEAGE_NAME = "greenroom.dev/openlineage-name"
#: how often a pipeline must succeed, or a dataset be written, before it is late (``6h``)
EXPECTED_INTERVAL = "greenroom.dev/expected-interval"

# On call (Backstage's PagerDuty plugin)
PAGERDUTY_SERVICE_ID = "pagerduty.com/service-id"
