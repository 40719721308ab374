"""The steps every hosted publisher shares: check the request before anything exists, commit
the folder locally, and, when a step after creation fails, delete the half-made repository or
say exactly what is left and what to do."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr
from rapidfuzz import process

from catalog.errors import GreenroomError
from catalog.git_runner import GitCredential, GitFailed, GitRunner
from integrations.errors import PublishFailed
from integrations.repositories._git import commit_folder, push_branch
from integrations.repositories.base import CommitAuthor, RepositoryRequest

_log = logging.getLogger("integrations.repositories")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True, slots=True)
class Created:
    """A repository that now exists on the platform (what cleanup needs to know)."""

    full_path: str
    web_url: str
    clone_url: str


def did_you_mean(wanted: str, candidates: Iterable[str]) -> str:
    """`` Did you mean: a, b?`` with the (at most three) candidates close to ``wanted``, or ""."""
    close = [m[0] for m in process.extract(wanted, list(candidates), limit=3, score_cutoff=70)]
    return f" Did you mean: {', '.join(close)}?" if close else ""


def check_name(name: str) -> None:
    """Refuse a name no platform accepts (it also ends up in API paths: no '/', '?', '..')."""
    if not _NAME.match(name) or name.endswith((".git", ".atom")) or ".." in name:
        raise PublishFailed(
            f"{name!r} is not a valid repository name: use letters, digits, '.', '_' and '-', "
            "start with a letter or digit, at most 100 characters."
        )


def check_request(request: RepositoryRequest, source_dir: Path) -> None:
    """Refuse what would fail later, while nothing exists yet."""
    check_name(request.name)
    if not source_dir.is_dir() or not any(source_dir.iterdir()):
        raise PublishFailed(f"Nothing to publish: the rendered folder {source_dir} is empty.")


@contextmanager
def prepared_commit(
    source_dir: Path, request: RepositoryRequest, author: CommitAuthor
) -> Iterator[tuple[GitRunner, Path]]:
    """A scratch folder holding the first commit of ``source_dir``, and a git home to push it
    from; both are removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="greenroom-publish-") as scratch:
        home = Path(scratch)
        git = GitRunner(home=home)
        branch = request.default_branch
        try:
            git.run("check-ref-format", "--branch", branch)
        except GitFailed:
            raise PublishFailed(f"{branch!r} is not a valid branch name.") from None
        try:
            commit_folder(git, source_dir, home / "commit.git", author=author, branch=branch)
        except GitFailed as error:
            raise PublishFailed(f"Could not commit the rendered files: {error.reason}") from None
        yield git, home / "commit.git"


def finish_publishing(
    platform: str,
    created: Created,
    *,
    git: GitRunner,
    commit: Path,
    branch: str,
    login: tuple[str, SecretStr],
    configure: Callable[[], None],
    delete: Callable[[], int | None],
    how_to_delete: str,
) -> None:
    """Configure the new repository and push its first commit; if either fails, delete it
    again (``undo_creation``) so a retry starts from nothing."""
    try:
        configure()
        username, token = login
        credential = GitCredential.basic(created.clone_url, username, token)
        pushing = git.with_credentials([credential])
        try:
            push_branch(pushing, commit, created.clone_url, branch)
        except GitFailed as error:
            raise PublishFailed(
                f"{platform} refused the push of the first commit to {created.web_url}: "
                f"{error.reason}"
            ) from None
    except Exception as error:
        raise undo_creation(platform, created, error, delete, how_to_delete=how_to_delete) from None


def undo_creation(
    platform: str,
    created: Created,
    cause: Exception,
    delete: Callable[[], int | None],
    *,
    how_to_delete: str,
) -> Exception:
    """The error to raise after ``cause``, once the half-made repository is deleted (or not).

    ``delete`` returns the HTTP status of the deletion. A ``cause`` that is a bug (not a
    GreenroomError) is returned as it is, with the cleanup's outcome added as a note.
    """
    _log.warning("publishing %s failed after creation; deleting it", created.web_url)
    failure = _undo(platform, created, cause, delete, how_to_delete)
    if isinstance(cause, GreenroomError):
        return failure
    cause.add_note(failure.user_message)
    return cause


def _undo(
    platform: str,
    created: Created,
    cause: Exception,
    delete: Callable[[], int | None],
    how_to_delete: str,
) -> PublishFailed:
    said = cause.user_message if isinstance(cause, GreenroomError) else "Publishing failed."
    try:
        status = delete()
    except GreenroomError:
        status = None
    if status is not None and (status < 300 or status == 404):
        _log.info("deleted half-made repository %s", created.web_url)
        return PublishFailed(
            f"{said} The half-made repository {created.web_url} was deleted "
            "again, so nothing is left behind; fix the problem and try again."
        )
    why = f"{platform} answered {status}" if status is not None else f"{platform} did not answer"
    if status == 403:
        why = "the token is not allowed to delete repositories (403)"
    _log.error("half-made repository %s left behind: %s", created.web_url, why)
    return PublishFailed(
        f"{said} greenroom created {created.web_url} but could not delete it "
        f"again ({why}). It still exists, empty or incomplete: delete it yourself "
        f"({how_to_delete}) or ask an owner of {created.full_path.rpartition('/')[0]} to, "
        "then try again."
    )
