"""The template-author boundary: nothing from outside a template may enter the repository it
creates. Each test is one attack a template author can write (most were reproduced on main:
the new repository held the host's file); each must be refused with the offending path
named, relative to the template, before anything is published."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from catalog.database import create_database_engine
from integrations.errors import TemplateInvalid
from integrations.scaffolder import discover_templates
from tests.integrations.scaffolder.scaffold_company import ADA
from tests.security.template_world import PROJECT, SECRET, TemplateWorld, make_world

OUTSIDE = "is a link leading outside the template"


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path) -> Iterator[TemplateWorld]:
    """On SQLite: these attacks are about files; the registration tests run on both."""
    database = tmp_path / "greenroom.db"
    shutil.copy(sqlite_template, database)
    engine = create_database_engine(f"sqlite:///{database}")
    yield make_world(tmp_path, engine)
    engine.dispose()


def link(path: Path, target: str | Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def test_a_link_to_a_host_file_in_an_untrusted_template_is_refused(world: TemplateWorld) -> None:
    # As reproduced: ln -s /etc/passwd "{{cookiecutter.project_slug}}/x"
    root = world.template("evil")
    link(root / PROJECT / "x", "/etc/passwd")
    message = world.refused("evil")
    assert f"{PROJECT}/x {OUTSIDE}" in message
    assert message.startswith("The template 'evil' cannot be used:")
    run = world.scaffolder().runs()[0]
    assert (run.status, run.error) == ("failed", message)


def test_a_relative_link_climbing_out_deep_inside_the_template_is_refused(
    world: TemplateWorld,
) -> None:
    root = world.template("evil")
    deep = root / PROJECT / "a" / "b" / "c" / "d"
    link(deep / "notes.txt", os.path.relpath(world.secret, deep))
    assert f"{PROJECT}/a/b/c/d/notes.txt {OUTSIDE}" in world.refused("evil")


def test_a_chain_of_links_that_ends_outside_is_refused(world: TemplateWorld) -> None:
    root = world.template("evil")
    link(root / PROJECT / "a.txt", "b.txt")
    link(root / PROJECT / "b.txt", "c.txt")
    link(root / PROJECT / "c.txt", world.secret)
    assert f"{PROJECT}/a.txt {OUTSIDE}" in world.refused("evil")


def test_a_link_into_the_templates_own_git_folder_is_refused(world: TemplateWorld) -> None:
    # A template kept as a git checkout: .git/config may hold the remote's URL with a token.
    root = world.template("evil")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[remote]\n\turl = https://x:{SECRET}@git.example\n")
    link(root / PROJECT / "config.txt", "../.git/config")
    assert f"{PROJECT}/config.txt {OUTSIDE}" in world.refused("evil")


def test_a_linked_folder_copied_without_rendering_is_refused(world: TemplateWorld) -> None:
    root = world.template("evil", context={"_copy_without_render": ["conf"]})
    link(root / PROJECT / "conf", world.host)
    assert f"{PROJECT}/conf {OUTSIDE}" in world.refused("evil")


def test_a_linked_file_copied_without_rendering_is_refused(world: TemplateWorld) -> None:
    root = world.template("evil", context={"_copy_without_render": ["*.bin"]})
    link(root / PROJECT / "assets" / "logo.bin", world.secret)
    assert f"{PROJECT}/assets/logo.bin {OUTSIDE}" in world.refused("evil")


def test_an_include_of_a_link_in_the_template_root_is_refused(world: TemplateWorld) -> None:
    # Jinja's search path holds the template's own "templates" folder.
    root = world.template("evil", {f"{PROJECT}/NOTES.md": "{% include 'leak.txt' %}\n"})
    link(root / "templates" / "leak.txt", world.secret)
    assert f"templates/leak.txt {OUTSIDE}" in world.refused("evil")


def test_a_project_folder_that_is_a_link_is_refused(world: TemplateWorld) -> None:
    root = world.template("evil")
    shutil.rmtree(root / PROJECT)
    link(root / PROJECT, world.host)
    assert f"{PROJECT} {OUTSIDE}" in world.refused("evil")


def test_a_link_inside_the_template_to_one_of_its_folders_is_refused(
    world: TemplateWorld,
) -> None:
    root = world.template("evil", {f"{PROJECT}/docs/index.md": "# Docs\n"})
    link(root / PROJECT / "site", "docs")
    message = world.refused("evil")
    assert f"{PROJECT}/site is a link to a folder" in message


def test_a_template_folder_that_links_out_of_its_configured_folder_is_not_offered(
    world: TemplateWorld,
) -> None:
    elsewhere = world.host / "someone-elses-template"
    (elsewhere / PROJECT).mkdir(parents=True)
    (elsewhere / "cookiecutter.json").write_text('{"project_slug": "x", "description": "x"}')
    (elsewhere / PROJECT / "README.md").write_text(SECRET)
    link(world.folder() / "evil", elsewhere)
    scaffolder = world.scaffolder()
    assert scaffolder.templates(scaffolder.caller(ADA)) == []
    assert any("evil is a link leading outside" in p for p in scaffolder.index().problems)
    with pytest.raises(TemplateInvalid, match="is a link leading outside"):
        world.run("evil")
    world.assert_nothing_made()


def test_a_hard_link_to_a_host_file_is_refused(world: TemplateWorld) -> None:
    root = world.template("evil")
    os.link(world.secret, root / PROJECT / "x.txt")
    message = world.refused("evil")
    assert f"{PROJECT}/x.txt is a hard link to a file outside the template" in message


def test_hard_links_between_a_templates_own_files_are_fine(world: TemplateWorld) -> None:
    root = world.template("twins", {f"{PROJECT}/a.txt": "same\n"})
    os.link(root / PROJECT / "a.txt", root / PROJECT / "b.txt")
    result = world.run("twins")
    assert result.repository.clone_url.endswith("ledger.git")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    # bound at a short path (AF_UNIX allows 108 bytes), then moved into the template
    short = Path(tempfile.mkdtemp()) / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(short))
    short.rename(path)
    short.parent.rmdir()


def _device(path: Path) -> None:
    try:
        os.mknod(path, 0o600 | 0o020000, os.makedev(1, 3))  # a character device, like /dev/null
    except PermissionError:
        pytest.skip("creating a device file needs CAP_MKNOD")


@pytest.mark.parametrize(
    ("make", "what"),
    [(_fifo, "a FIFO (named pipe)"), (_socket, "a socket"), (_device, "a device")],
)
def test_special_files_in_a_template_are_refused(
    world: TemplateWorld, make: Callable[[Path], None], what: str
) -> None:
    root = world.template("evil")
    (root / PROJECT / "deep").mkdir()
    make(root / PROJECT / "deep" / "special")
    message = world.refused("evil")
    assert f"{PROJECT}/deep/special is {what}, not a file or folder" in message


def test_a_linked_cookiecutter_json_is_never_read_into_the_form(world: TemplateWorld) -> None:
    settings = world.host / "settings.json"
    settings.write_text(f'{{"project_slug": "x", "api_token": "{SECRET}"}}')
    root = world.template("evil")
    (root / "cookiecutter.json").unlink()
    link(root / "cookiecutter.json", settings)
    scaffolder = world.scaffolder()
    with pytest.raises(TemplateInvalid) as raised:
        scaffolder.form("evil", scaffolder.caller(ADA))
    assert "cookiecutter.json is a link; it must be a file of the template" in (
        raised.value.user_message
    )
    assert SECRET not in raised.value.user_message
    assert SECRET not in " ".join(scaffolder.index().problems)


def test_a_linked_metadata_file_is_never_read(world: TemplateWorld) -> None:
    config = world.host / "config.yaml"
    config.write_text(f"title: {SECRET[:70]!r}\n")
    root = world.template("evil")
    link(root / "greenroom-template.yaml", config)
    index = discover_templates(
        world.scaffolder().settings.template_dirs, base_dir=world.tmp, shipped=False
    )
    assert [t.title for t in index.templates] == []
    assert (
        "greenroom-template.yaml is a link; it must be a file of the template"
        in (index.broken["evil"])
    )


def test_trusted_templates_may_not_link_outside_either(world: TemplateWorld) -> None:
    root = world.template("approved-but-careless", trusted=True)
    link(root / PROJECT / "LICENSE", world.secret)
    assert f"{PROJECT}/LICENSE {OUTSIDE}" in world.refused("approved-but-careless")


def test_a_trusted_hook_that_hard_links_a_host_file_into_the_project_is_refused(
    world: TemplateWorld,
) -> None:
    hook = f"import os\nos.link({str(world.secret)!r}, 'stolen.txt')\n"
    world.template("hooked", {"hooks/post_gen_project.py": hook}, trusted=True)
    message = world.refused("hooked")
    assert "stolen.txt is a hard link to a file outside the new project" in message


def test_links_inside_a_template_to_its_own_files_still_work(world: TemplateWorld) -> None:
    root = world.template("shared", {"shared/LICENSE": "MIT {{ cookiecutter.project_slug }}\n"})
    link(root / PROJECT / "LICENSE", "../shared/LICENSE")
    result = world.run("shared")
    assert result.entity_ref.name == "ledger"


@pytest.mark.parametrize(
    ("files", "context", "expected"),
    [
        ({f"{PROJECT}/{{{{cookiecutter.folder}}}}/x.md": "x"}, {"folder": "../../.."}, "leave"),
        ({f"{PROJECT}/{{{{cookiecutter.folder}}}}/x.md": "x"}, {"folder": "/tmp"}, "leave"),
        ({f"{PROJECT}/a.md": "{% include '/etc/passwd' %}"}, {}, "TemplateNotFound"),
        ({f"{PROJECT}/a.md": "{% include '../../../../../etc/passwd' %}"}, {}, "NotFound"),
        ({f"{PROJECT}/a.md": "{% import '../cookiecutter.json' as c %}"}, {}, "NotFound"),
    ],
)
def test_paths_and_includes_cannot_leave_the_template(
    world: TemplateWorld, files: dict[str, str], context: dict[str, str], expected: str
) -> None:
    # Regression guards: these were already refused on main.
    world.template("evil", files, context=context)
    assert expected in world.refused("evil")
