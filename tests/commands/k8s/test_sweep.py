"""``run_health_sweep``: which Slack token it posts with, and that it refuses to sweep (and so
to consume notifications) when it could not post them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, func, select

from bot.loopback import kubernetes_objects as k
from bot.loopback.kubernetes_api import FakeKubernetesApi
from bot.loopback.slack import LoopbackSlack
from catalog import ConfigError
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from commands.k8s.sweep import run_health_sweep
from integrations.kubernetes.tables import k8s_health
from runtime.process import Runtime
from runtime.settings import load_settings


@pytest.fixture
def api() -> Iterator[FakeKubernetesApi]:
    with FakeKubernetesApi() as fake:
        fake.add(
            k.deployment("payments-api", replicas=2, ready=0),
            *k.pods_of(
                "payments-api",
                2,
                containers=(k.Container(ready=False, waiting=("CrashLoopBackOff", "back-off")),),
            ),
        )
        yield fake


@pytest.fixture
def slack() -> Iterator[LoopbackSlack]:
    with LoopbackSlack() as loopback:
        yield loopback


@pytest.fixture
def runtime_for(
    engine: Engine, database_url: str, tmp_path: Path, api: FakeKubernetesApi
) -> Iterator[Any]:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "catalog-info.yaml").write_text(k.ONE_SERVICE_CATALOG, encoding="utf-8")
    sync_catalog(engine, [DirectorySource("test", folder)])
    kubeconfig = api.kubeconfig(tmp_path / "kubeconfig.yaml", context="eu")
    made: list[Runtime] = []

    def build(environ: dict[str, str]) -> Runtime:
        cluster = {"name": "prod-eu", "type": "kubeconfig", "kubeconfig": str(kubeconfig)}
        settings = load_settings(
            None,
            environ=environ,
            database_url=database_url,
            data_dir=tmp_path,
            kubernetes={"clusters": [cluster]},
        )
        made.append(Runtime(settings, engine))
        return made[-1]

    yield build
    for runtime in made:
        runtime.clusters.close()


def swept(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(k8s_health)).scalar_one())


def test_without_a_slack_token_nothing_is_swept(
    runtime_for: Any, api: FakeKubernetesApi, engine: Engine
) -> None:
    runtime = runtime_for({})

    with pytest.raises(ConfigError, match="set SLACK_BOT_TOKEN"):
        run_health_sweep(runtime)

    assert api.requests == [] and swept(engine) == 0


def test_with_a_bot_token_new_problems_are_posted(
    runtime_for: Any, slack: LoopbackSlack, engine: Engine
) -> None:
    runtime = runtime_for({"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.api_url})

    outcome = run_health_sweep(runtime)

    assert outcome.posted == 2 and swept(engine) == 1
    assert outcome.summary()["statuses"] == {"failing": 1}
    assert [c.args["channel"] for c in slack.calls("chat.postMessage")] == ["C0PAYMENTS"]


OAUTH = {"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "shh"}


def install(engine: Engine, team_id: str, token: str) -> None:
    store = SQLAlchemyInstallationStore(client_id=OAUTH["SLACK_CLIENT_ID"], engine=engine)
    store.save(
        Installation(
            app_id="A0GREENROOM",
            team_id=team_id,
            bot_token=token,
            bot_id="B0GREENROOM",
            bot_user_id="U0GREENROOM",
            user_id="U0INSTALLER",
        )
    )


def test_in_oauth_mode_the_one_installed_workspace_is_told(
    runtime_for: Any, slack: LoopbackSlack, engine: Engine
) -> None:
    install(engine, slack.team_id, slack.bot_token)
    runtime = runtime_for({**OAUTH, "SLACK_API_URL": slack.api_url})

    assert run_health_sweep(runtime).posted == 2
    assert slack.calls("chat.postMessage")[0].token == slack.bot_token


def test_in_oauth_mode_several_workspaces_are_refused_before_sweeping(
    runtime_for: Any, api: FakeKubernetesApi, engine: Engine
) -> None:
    install(engine, "T0ONE", "xoxb-one")
    install(engine, "T0TWO", "xoxb-two")
    runtime = runtime_for(OAUTH)

    with pytest.raises(ConfigError, match="installed in 2"):
        run_health_sweep(runtime)

    assert api.requests == []
