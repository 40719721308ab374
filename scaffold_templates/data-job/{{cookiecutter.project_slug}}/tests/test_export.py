from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, create_engine

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.export import (
    export_day,
    partition_path,
)
from {{ cookiecutter.package_name }}.settings import JobSettings

DAY = date(2024, 5, 1)


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    engine = create_engine(url)
    orders = Table(
        "orders",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("customer", String(50)),
        Column("created_at", DateTime),
    )
    orders.create(engine)
    with engine.begin() as conn:
        conn.execute(
            orders.insert(),
            [
                {"id": 1, "customer": "ada", "created_at": datetime(2024, 5, 1, 8, 0)},
                {"id": 2, "customer": "grace", "created_at": datetime(2024, 5, 1, 23, 59)},
                {"id": 3, "customer": "alan", "created_at": datetime(2024, 5, 2, 0, 0)},
            ],
        )
    engine.dispose()
    return url


def settings_for(url: str, tmp_path: Path, output_format: str = "jsonl") -> JobSettings:
    return JobSettings(url, "orders", tmp_path / "out", output_format, date_column="created_at")


def engine_for(url: str) -> Engine:
    return create_engine(url)


def test_exports_only_the_rows_of_the_day_as_json_lines(database: str, tmp_path: Path) -> None:
    settings = settings_for(database, tmp_path)
    result = export_day(engine_for(database), settings, DAY)
    lines = result.path.read_text().splitlines()
    assert result.rows == 2
    assert [json.loads(line)["customer"] for line in lines] == ["ada", "grace"]
    assert result.path == tmp_path / "out" / "orders" / "date=2024-05-01" / "part-0000.jsonl"


def test_a_day_already_exported_is_skipped_unless_forced(database: str, tmp_path: Path) -> None:
    settings = settings_for(database, tmp_path)
    engine = engine_for(database)
    export_day(engine, settings, DAY)
    assert export_day(engine, settings, DAY).skipped
    again = export_day(engine, settings, DAY, force=True)
    assert not again.skipped
    assert again.rows == 2


def test_csv_has_a_header_row(database: str, tmp_path: Path) -> None:
    settings = settings_for(database, tmp_path, "csv")
    export_day(engine_for(database), settings, DAY)
    with partition_path(settings, DAY).open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["id", "customer", "created_at"]
    assert len(rows) == 3


def test_missing_configuration_is_named() -> None:
    with pytest.raises(ValueError, match="SOURCE_TABLE, OUTPUT_DIR"):
        JobSettings.from_env({"SOURCE_DATABASE_URL": "sqlite://"})


def test_command_line_exports_the_given_day(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SOURCE_DATABASE_URL", database)
    monkeypatch.setenv("SOURCE_TABLE", "orders")
    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("DATE_COLUMN", raising=False)
    assert main(["--date", "2024-05-01"]) == 0
    assert "wrote 3 rows" in capsys.readouterr().out
