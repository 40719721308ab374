"""The ``kpis:`` section of greenroom.yaml: clear errors for wrong settings, tokens only
from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import ConfigError
from runtime.settings import load_settings


def settings_from(tmp_path: Path, text: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / "greenroom.yaml"
    path.write_text(text)
    return load_settings(path, environ=env or {})


def test_tokens_come_from_the_environment_and_never_show(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        "kpis:\n  sources:\n    - {type: pagerduty}\n    - {type: github, token_env: GH}\n",
        {"PAGERDUTY_TOKEN": "pd-secret", "GH": "gh-secret"},
    )

    pagerduty, github = settings.kpis.sources
    assert pagerduty.token is not None and pagerduty.token.get_secret_value() == "pd-secret"
    assert github.token is not None and github.token.get_secret_value() == "gh-secret"
    assert "pd-secret" not in repr(settings) and "gh-secret" not in str(settings.kpis)


def test_a_token_written_in_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        settings_from(tmp_path, "kpis:\n  sources:\n    - {type: pagerduty, token: abc}\n")

    assert "kpis.sources.0.pagerduty.token" in str(error.value)
    assert "tokens are read from the environment variable named by token_env" in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "kpis:\n  thresholds:\n    - {kpi: cost}\n",
            "give exactly one of above or below",
        ),
        (
            "kpis:\n  sources:\n    - {type: opencost, url: 'http://a'}\n"
            "    - {type: opencost, url: 'http://b'}\n",
            "kpis source names must be unique; repeated: opencost",
        ),
        (
            "kpis:\n  sources:\n    - type: prometheus\n      url: http://p\n"
            "      kpis: [{name: cost, query: up}]\n",
            "is not a custom KPI name",
        ),
        (
            "kpis:\n  sources:\n    - {type: opencost, url: 'http://a', aggregate: 'pod'}\n",
            "kpis.sources.0.opencost.aggregate",
        ),
        ("kpis:\n  sources:\n    - {type: sonarqube}\n", "kpis.sources.0"),
    ],
)
def test_wrong_settings_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings_from(tmp_path, text)

    assert message in str(error.value)
