"""deploy/build.py, the steps the Dockerfile runs: the wheel holds everything greenroom needs
at run time, installs into a fresh virtualenv, and works from an unrelated folder (demo, a
worker job, serve's /healthz and /readyz)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "deploy" / "build.py"


@pytest.mark.slow
def test_the_wheel_installs_and_greenroom_runs_from_any_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BUILD), "all", "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-6000:]
    for step in ("demo ran", "worker ran catalog.sync", "serve answered /healthz and /readyz"):
        assert step in done.stdout
    [wheel] = (tmp_path / "dist").glob("greenroom-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "bot/example_company/greenroom.yaml" in names
    assert "catalog/schema/script.py.mako" in names
    assert "catalog/schema/versions/0001_catalog.py" in names
    assert "scaffold_templates/python-service/{{cookiecutter.project_slug}}/.gitignore" in names
    assert not any(".greenroom/" in name or "__pycache__" in name for name in names)


def test_a_wheel_missing_a_package_file_is_refused(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("greenroom_build_script", BUILD)
    assert spec is not None and spec.loader is not None
    build_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_script)
    source = tmp_path / "src"
    (source / "bot" / "example_company").mkdir(parents=True)
    (source / "bot" / "__init__.py").write_text("")
    (source / "bot" / "example_company" / "greenroom.yaml").write_text("{}")
    (source / "bot" / "templates.json").write_text("{}")
    (source / "pyproject.toml").write_text('[tool.setuptools.packages.find]\ninclude = ["bot*"]\n')
    wheel = tmp_path / "greenroom-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("bot/__init__.py", "")
        archive.writestr("bot/example_company/greenroom.yaml", "{}")

    with pytest.raises(build_script.BuildFailed, match=r"1 file\(s\) .*\n  bot/templates.json"):
        build_script.check_wheel(wheel, source)
