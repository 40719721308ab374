"""System setup the test suite needs, run by `make test` before pytest.

With CI=true the PostgreSQL half of the suite is mandatory: start the local server if it is
down, and fail loudly if it still cannot be reached.
"""

from __future__ import annotations

import os
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


def main() -> int:
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
