"""Errors of the integrations, leaves of the tree drawn in ``catalog/errors.py``.

GreenroomError
├── ClusterUnreachable     a Kubernetes cluster did not answer (in time)
├── DocsBuildFailed        a TechDocs site could not be built; says why in user terms
├── ScaffoldFailed         a template run failed; nothing half-made was left behind
└── PublishFailed          a repository could not be created or pushed
    └── RepositoryExists   the name is taken (shown on the modal's name field)
"""

from __future__ import annotations

from catalog.errors import GreenroomError

__all__ = [
    "ClusterUnreachable",
    "DocsBuildFailed",
    "PublishFailed",
    "RepositoryExists",
    "ScaffoldFailed",
]


class ClusterUnreachable(GreenroomError):
    """A Kubernetes cluster refused, timed out or rejected our credentials."""


class DocsBuildFailed(GreenroomError):
    """A docs build failed; the message is the real reason, in words a user can act on."""


class ScaffoldFailed(GreenroomError):
    """A template could not be rendered or published; nothing half-made was kept."""


class PublishFailed(GreenroomError):
    """A repository could not be created, configured or pushed."""


class RepositoryExists(PublishFailed):
    """A repository with this name already exists; ``field`` is the form field to flag."""

    def __init__(self, message: str, *, field: str = "name") -> None:
        self.field = field
        super().__init__(message)
