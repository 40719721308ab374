"""The git steps of publishing a repository: one commit of a rendered folder, then its push.

git itself runs through the one hardened runner, ``catalog/git_runner.py``."""

from __future__ import annotations

from pathlib import Path

from catalog.git_runner import GitRunner
from integrations.repositories.base import CommitAuthor


def commit_folder(
    git: GitRunner,
    source_dir: Path,
    git_dir: Path,
    *,
    author: CommitAuthor,
    branch: str,
    message: str = "Initial commit",
) -> None:
    """One commit of everything in ``source_dir`` on ``branch``, kept in ``git_dir`` so the
    folder itself is left untouched."""
    identity = {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }
    git.run("init", "-q", "--bare", f"--initial-branch={branch}", str(git_dir))
    tree = ("--git-dir", str(git_dir), "--work-tree", str(source_dir))
    git.run(*tree, "add", "--all", ".", cwd=source_dir)
    git.run(*tree, "commit", "-q", "--no-verify", "-m", message, env=identity)


def push_branch(git: GitRunner, git_dir: Path, url: str, branch: str) -> None:
    """Push ``branch`` of ``git_dir`` to ``url``; GitFailed says why the remote refused."""
    git.run("--git-dir", str(git_dir), "push", url, f"{branch}:refs/heads/{branch}")
