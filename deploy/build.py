#!/usr/bin/env python3
"""Build greenroom the way its container image is built, then use it as a new user would.

The Dockerfile runs these same steps, so what CI checks (``make test`` runs ``all`` through
tests/deploy/test_build.py) is what the image holds:

  wheel    build the wheel from a clean copy of the source (no editable install, no stray
           files), and check it holds every file of every package, data files included
  install  a fresh virtualenv holding the wheel and its dependencies
  check    from an unrelated folder whose decoy catalog/, bot/, jobs/ and multiprocessing/
           packages refuse to load: greenroom --version, greenroom demo, a worker that runs
           a job, and greenroom serve answering /healthz and /readyz
  all      the three in a row

Dependencies are installed from a wheelhouse (``--wheelhouse``, default
``~/.cache/greenroom/wheelhouse``): offline when it holds everything, and topped up from the
package index only when the wheel asks for something it lacks, so a repeated run needs no
network and takes seconds. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
import venv
import zipfile
from collections.abc import Sequence
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent
#: Never copied into the build: state, caches, virtualenvs, earlier builds.
SKIPPED = (
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".greenroom",
    ".mypy_cache", ".ruff_cache", ".pytest_cache",
)  # fmt: skip
#: What the wheel's build needs (pyproject's [build-system] requires).
BUILD_REQUIRES = ("setuptools>=77",)
DECOYS = ("catalog", "bot", "jobs", "commands", "integrations", "multiprocessing")
STEP_TIMEOUT = 300


class BuildFailed(Exception):
    """A step did not do what it should; the message says what and shows the output."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the step the command line names; exit 1 with the reason when it fails."""
    args = _parser().parse_args(argv)
    wheelhouse = args.wheelhouse.resolve()
    wheelhouse.mkdir(parents=True, exist_ok=True)
    try:
        if args.step == "wheel":
            _say(f"built {build_wheel(args.out.resolve(), wheelhouse=wheelhouse)}")
        elif args.step == "install":
            install(args.wheel.resolve(), args.venv.resolve(), wheelhouse=wheelhouse)
            _say(f"installed into {args.venv}")
        elif args.step == "check":
            check(args.venv.resolve())
        else:
            work = args.work.resolve()
            wheel = build_wheel(work / "dist", wheelhouse=wheelhouse)
            install(wheel, work / "venv", wheelhouse=wheelhouse)
            check(work / "venv")
    except BuildFailed as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 1
    _say("ok")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_house = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument(
        "--wheelhouse", type=Path, default=default_house / "greenroom" / "wheelhouse"
    )
    steps = parser.add_subparsers(dest="step", required=True)
    wheel = steps.add_parser("wheel", help="build and check the wheel")
    wheel.add_argument("--out", type=Path, default=SOURCE / "dist")
    install_step = steps.add_parser("install", help="a fresh virtualenv with the wheel")
    install_step.add_argument("wheel", type=Path)
    install_step.add_argument("--venv", type=Path, required=True)
    check_step = steps.add_parser("check", help="use the installed greenroom from elsewhere")
    check_step.add_argument("--venv", type=Path, required=True)
    everything = steps.add_parser("all", help="wheel, install and check")
    everything.add_argument("--work", type=Path, required=True, help="a folder to work in")
    return parser


# -- wheel ---------------------------------------------------------------------------------
def build_wheel(out: Path, *, wheelhouse: Path) -> Path:
    """The wheel, built from a clean copy of the source and checked for completeness."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="greenroom-build-") as scratch:
        copy = Path(scratch) / "src"
        shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=False)
        before = set(out.glob("greenroom-*.whl"))
        _pip_offline_first(
            ["wheel", "--no-deps", "--wheel-dir", str(out), str(copy)],
            wheelhouse=wheelhouse,
            fill=["download", "--dest", str(wheelhouse), *BUILD_REQUIRES],
        )
        built = (
            sorted(set(out.glob("greenroom-*.whl")) - before)
            or sorted(out.glob("greenroom-*.whl"), key=lambda p: p.stat().st_mtime)[-1:]
        )
        if not built:
            raise BuildFailed(f"pip wheel left no greenroom wheel in {out}")
        check_wheel(built[-1], copy)
    return built[-1]


def check_wheel(wheel: Path, source: Path) -> None:
    """Every file of every package the project declares is in the wheel, data included."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [
        str(path.relative_to(source))
        for package in _packages(source)
        for path in sorted((source / package).rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and str(path.relative_to(source)) not in names
    ]
    if missing:
        shown = "\n  ".join(missing[:20])
        raise BuildFailed(
            f"{len(missing)} file(s) of the packages are not in {wheel.name}:\n  {shown}"
        )
    if not any(name.startswith("bot/example_company/") for name in names):
        raise BuildFailed(f"{wheel.name} lacks the example company that greenroom demo needs")


def _packages(source: Path) -> list[str]:
    """The top-level packages pyproject.toml includes (``include = ["bot*", ...]``)."""
    config = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return [pattern.rstrip("*").rstrip(".") for pattern in include]


# -- install -------------------------------------------------------------------------------
def install(wheel: Path, target: Path, *, wheelhouse: Path) -> None:
    """A fresh virtualenv at ``target`` with ``wheel`` and its dependencies."""
    venv.EnvBuilder(clear=True, with_pip=False, symlinks=True).create(target)
    python = str(target / "bin" / "python")
    _pip_offline_first(
        ["--python", python, "install", "--no-compile", str(wheel)],
        wheelhouse=wheelhouse,
        fill=["wheel", "--wheel-dir", str(wheelhouse), "--find-links", str(wheelhouse), str(wheel)],
    )
    if not (target / "bin" / "greenroom").is_file():
        raise BuildFailed(f"installing {wheel.name} made no greenroom command in {target}/bin")


def _pip_offline_first(command: list[str], *, wheelhouse: Path, fill: list[str]) -> None:
    """Run pip from the wheelhouse alone; if that lacks something, top it up and go again."""
    offline = [*command, "--no-index", "--find-links", str(wheelhouse)]
    if _run([sys.executable, "-m", "pip", *offline], check=False).returncode == 0:
        return
    _say("the wheelhouse lacks something: fetching it from the package index")
    _run([sys.executable, "-m", "pip", *fill])
    _run([sys.executable, "-m", "pip", *offline])


# -- check ---------------------------------------------------------------------------------
def check(target: Path) -> None:
    """Use the installed greenroom from an unrelated folder, as a new user would."""
    with tempfile.TemporaryDirectory(prefix="greenroom-check-") as scratch:
        root = Path(scratch)
        project = root / "project"  # where the user happens to be: full of decoys
        for name in DECOYS:
            (project / name).mkdir(parents=True)
            (project / name / "__init__.py").write_text(
                f"raise ImportError('the decoy {name}/ in the current folder was imported')\n"
            )
        env = _clean_env(target, home=root / "home")
        greenroom = str(target / "bin" / "greenroom")

        version = _run([greenroom, "--version"], cwd=project, env=env)
        _say(version.stdout.strip())
        _run([greenroom, "demo"], cwd=project, env=env)
        company = root / "home" / ".local" / "share" / "greenroom" / "demo"
        if not (company / ".greenroom" / "demo.db").is_file():
            raise BuildFailed(f"greenroom demo left no database in {company}")
        _say(f"demo ran; the example company is in {company}")
        config = ["--config", str(company / "greenroom.yaml")]
        _check_worker([greenroom, *config], cwd=project, env=env)
        _check_serve([greenroom, *config], cwd=project, env=env)


def _check_worker(greenroom: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    worker = subprocess.Popen(
        [*greenroom, "worker"], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        ran = _run(
            [*greenroom, "jobs", "run", "catalog.sync", "--wait", "--timeout", "120"],
            cwd=cwd,
            env=env,
            check=False,
        )
    finally:
        output = _stop(worker)
    if ran.returncode != 0 or "succeeded" not in ran.stdout:
        raise BuildFailed(f"the worker did not run catalog.sync:\n{ran.stdout}{ran.stderr}{output}")
    _say("worker ran catalog.sync")


def _check_serve(greenroom: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secrets = {"SLACK_BOT_TOKEN": "xoxb-build-check", "SLACK_SIGNING_SECRET": "build-check"}
    server = subprocess.Popen(
        [*greenroom, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        env=env | secrets | {"GREENROOM_SLACK__ANSWER_PROCESSES": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    answered: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 120
        while len(answered) < 2 and time.monotonic() < deadline and server.poll() is None:
            for path in ("/healthz", "/readyz"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                        answered[path] = r.status
                except OSError:
                    pass
            time.sleep(0.25)
    finally:
        output = _stop(server)
    if answered != {"/healthz": 200, "/readyz": 200}:
        raise BuildFailed(f"greenroom serve did not answer /healthz and /readyz:\n{output}")
    _say("serve answered /healthz and /readyz")


def _stop(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out.decode(errors="replace")


def _clean_env(target: Path, *, home: Path) -> dict[str, str]:
    """A user's environment: the virtualenv first on PATH, an empty home, none of ours."""
    home.mkdir(parents=True, exist_ok=True)
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PATH"] = f"{target / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["HOME"] = str(home)
    return env


def _run(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT
        )
    except subprocess.TimeoutExpired as error:
        raise BuildFailed(f"{' '.join(command)} took more than {STEP_TIMEOUT}s") from error
    _say(
        f"{' '.join(Path(c).name if i == 0 else c for i, c in enumerate(command))[:150]}"
        f" ({time.monotonic() - started:.1f}s)"
    )
    if check and done.returncode != 0:
        raise BuildFailed(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout[-3000:]}"
            f"{done.stderr[-3000:]}"
        )
    return done


def _say(text: str) -> None:
    print(f"build.py: {text}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
