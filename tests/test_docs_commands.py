"""Every command the README and the docs tell people to run on the example company works,
verbatim, from where they say to run it (issue 17: after `make demo` the README's questions
answered "I could not find ..." and left an empty ./greenroom.db behind).

A code block is run when the line before it is a marker comment saying where:
``<!-- tested: from the repository root, after make demo ... -->`` or
``<!-- tested: in examples/, after make demo ... -->``. The demo runs first, as ``make demo``
does, on a copy of the example company in a scratch "repository" whose ``.venv`` is this
one's. A block that asks something as a person of the example company must be marked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", REPO / "examples" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_MARKER = re.compile(r"<!-- tested: (from the repository root|in examples/), after make demo")
_FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
_EMAIL = re.compile(r"\b([a-z][a-z.]*@globex\.example)\b")
#: What an answer says when the question did not reach the example company.
_NOT_THERE = ("I could not find", "could not match you", "Catalog user: none", "Traceback")


@dataclass(frozen=True)
class Snippet:
    """One code block: where it is, where it says to run, and its shell text."""

    page: Path
    line: int
    where: str  # "root" or "examples"
    script: str

    def __str__(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def _blocks(page: Path) -> list[tuple[int, str, str, str | None]]:
    """(line, language, text, where or None) of every fenced block of ``page``."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.search(before)
        where = None if marker is None else ("root" if "root" in marker.group(1) else "examples")
        line = text[: match.start()].count("\n") + 1
        found.append((line, match.group(1), match.group(2), where))
    return found


def _script(language: str, text: str) -> str:
    if language == "console":  # the commands are the lines after the prompt
        return "\n".join(line[2:] for line in text.splitlines() if line.startswith("$ "))
    return text


SNIPPETS = [
    Snippet(page, line, where, _script(language, text))
    for page in PAGES
    for line, language, text, where in _blocks(page)
    if where is not None
]


def test_the_readme_and_the_docs_mark_blocks_to_run() -> None:
    pages = {s.page.name for s in SNIPPETS}
    assert {"README.md", "slack.md", "scaffolding.md", "techdocs.md"} <= pages


def test_every_block_that_asks_as_someone_of_the_example_company_is_run() -> None:
    unmarked = [
        f"{page.relative_to(REPO)}:{line}"
        for page in PAGES
        for line, _, text, where in _blocks(page)
        if where is None and "greenroom " in text and _EMAIL.search(text)
    ]
    assert unmarked == []


def test_every_person_the_docs_name_is_in_the_example_company() -> None:
    people = set()
    for path in (REPO / "examples" / "catalog" / "org").glob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document and document.get("kind") == "User":
                people.add(document["spec"]["profile"]["email"])
    named = {
        (email, page.relative_to(REPO).as_posix())
        for page in PAGES
        for email in _EMAIL.findall(page.read_text(encoding="utf-8"))
        if email != "first.last@globex.example"  # the pattern, in examples/README.md
    }
    assert {(email, page) for email, page in named if email not in people} == set()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository root after ``make demo``: this ``.venv``, and the example company in
    ``examples/`` with the demo's database, docs, clusters' kubeconfig and chart."""
    root = tmp_path_factory.mktemp("checkout")
    (root / ".venv").symlink_to(Path(sys.executable).parent.parent)
    shutil.copytree(
        REPO / "examples", root / "examples", ignore=shutil.ignore_patterns(".greenroom")
    )
    demo = subprocess.run(
        [str(root / ".venv" / "bin" / "greenroom"), "demo", "--dir", str(root / "examples")],
        cwd=root,
        env=_environ(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    return root


def _environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"GREENROOM_CONFIG", "DATABASE_URL"}}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO))
    )
    env["COLUMNS"] = "160"
    return env


@pytest.mark.parametrize("snippet", SNIPPETS, ids=str)
def test_the_command_runs_verbatim_where_the_docs_say(snippet: Snippet, checkout: Path) -> None:
    env = _environ()
    if snippet.where == "examples":  # the block says greenroom is on PATH
        env["PATH"] = os.pathsep.join([str(checkout / ".venv" / "bin"), env["PATH"]])
    cwd = checkout if snippet.where == "root" else checkout / "examples"
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", snippet.script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    shown = f"{snippet}\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
    assert done.returncode == 0, shown
    for words in _NOT_THERE:
        assert words not in done.stdout + done.stderr, shown
    assert not (checkout / "greenroom.db").exists()
    assert not (checkout / "examples" / "greenroom.db").exists()
