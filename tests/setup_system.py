"""System setup the test suite needs, run by `make test` before pytest.

With CI=true the PostgreSQL half of the suite is mandatory: start the local server if it is
down, and fail loudly if it still cannot be reached. Headless Chromium (Debian's ``chromium``,
for the TechDocs rendering tests) and Graphviz (``graphviz``, the diagram renderer TechDocs
builds may run) are installed with apt when missing and we run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

URL = os.environ.get("GREENROOM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_ready() -> bool:
    try:
        with psycopg.connect(URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def start_postgres() -> None:
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").is_dir() else []
    for version in versions:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version.name, "main", "start"],
            check=False,
            capture_output=True,
            timeout=60,
        )


#: Debian package -> the program that shows it is installed.
PACKAGES = {"chromium": "chromium", "graphviz": "dot"}


def install_packages() -> None:
    missing = [package for package, program in PACKAGES.items() if not shutil.which(program)]
    if not missing or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *missing]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            print(f"setup: {' '.join(command)} failed: {done.stderr.strip()[-500:]}")
            return
    print(f"setup: installed {', '.join(missing)}")


def main() -> int:
    install_packages()
    if postgres_ready():
        return 0
    start_postgres()
    for _ in range(30):
        if postgres_ready():
            print("setup: started PostgreSQL")
            return 0
        time.sleep(1)
    if os.environ.get("CI") == "true":
        print(f"setup: PostgreSQL at {URL} is unreachable and CI=true requires it", file=sys.stderr)
        return 1
    print(f"setup: PostgreSQL at {URL} is unreachable; its tests will be skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
