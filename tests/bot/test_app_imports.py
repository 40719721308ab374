"""Every answering process builds the whole Bolt app, and each pays in memory for every module
it imports (about 30 MB for the Kubernetes client, 20 MB for matplotlib). Those two are for
questions few ask (a cluster's health, a chart): the app must load them on first use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_PROBE = """
import json, sys
from slack_sdk import WebClient
from bot.app import create_app
from runtime.process import open_runtime
runtime = open_runtime(None, database_url="sqlite:///" + sys.argv[1])
create_app(runtime, client=WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"))
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def test_the_app_loads_the_kubernetes_client_and_matplotlib_only_when_used(
    tmp_path: Path,
) -> None:
    env = os.environ | {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}
    done = subprocess.run(
        [sys.executable, "-P", "-c", _PROBE, str(tmp_path / "app.db")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "slack_bolt" in loaded  # the app was built
    assert loaded & {"kubernetes", "matplotlib"} == set()
