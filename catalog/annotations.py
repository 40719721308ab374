"""Well-known annotation keys, defined once: Backstage's own, the ecosystem plugins' that
greenroom reads, and greenroom's own (``greenroom.dev/...``). Add a key here, not in the module
that first reads it, so every reader agrees on its spelling."""

from __future__ import annotations

__all__ = [
    "GITHUB_PROJECT_SLUG",
    "GITHUB_TEAM_SLUG",
    "GITLAB_GROUP_PATH",
    "GITLAB_PROJECT_SLUG",
    "KUBERNETES_ID",
    "KUBERNETES_LABEL_SELECTOR",
    "KUBERNETES_NAMESPACE",
    "MANAGED_BY_LOCATION",
    "MANAGED_BY_ORIGIN_LOCATION",
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
