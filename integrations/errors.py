"""Errors of the integrations, leaves of the tree drawn in ``catalog/errors.py``.

GreenroomError
├── ClusterUnreachable     a Kubernetes cluster did not answer (in time)
├── DocsBuildFailed        a TechDocs site could not be built; says why in user terms
│   └── DocsSourceUnavailable  its sources are not on this machine (e.g. a remote url: ref)
├── ScaffoldFailed         a template run failed; nothing half-made was left behind
│   ├── TemplateInvalid    a template folder is broken, or wants code it is not trusted with
│   ├── SubmissionInvalid  submitted values are wrong; ``errors`` maps fields to messages
│   └── NameTaken          another run is creating a repository of that name right now
└── PublishFailed          a repository could not be created or pushed
    └── RepositoryExists   the name is taken (shown on the modal's name field)
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog.errors import GreenroomError

__all__ = [
    "ClusterUnreachable",
    "DocsBuildFailed",
    "DocsSourceUnavailable",
    "NameTaken",
    "PublishFailed",
    "RepositoryExists",
    "ScaffoldFailed",
    "SubmissionInvalid",
    "TemplateInvalid",
]


class ClusterUnreachable(GreenroomError):
    """A Kubernetes cluster refused, timed out or rejected our credentials."""


class DocsBuildFailed(GreenroomError):
    """A docs build failed; the message is the real reason, in words a user can act on."""


class DocsSourceUnavailable(DocsBuildFailed):
    """The docs sources cannot be read here (yet); nothing is wrong with them."""


class ScaffoldFailed(GreenroomError):
    """A template could not be rendered or published; nothing half-made was kept."""


class TemplateInvalid(ScaffoldFailed):
    """A template cannot be offered: broken files, or code in a folder that is not trusted."""


class SubmissionInvalid(ScaffoldFailed):
    """Submitted values break the form's rules; ``errors`` maps field keys to messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(f"{key}: {message}" for key, message in self.errors.items()))


class NameTaken(ScaffoldFailed):
    """Another run holds the name (two people creating the same name: one wins)."""


class PublishFailed(GreenroomError):
    """A repository could not be created, configured or pushed."""


class RepositoryExists(PublishFailed):
    """A repository with this name already exists; ``field`` is the form field to flag."""

    def __init__(self, message: str, *, field: str = "name") -> None:
        self.field = field
        super().__init__(message)
