"""Confirming a hold: bound to the notice the admin saw, recorded with who and when."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog.database import writer
from catalog.holds import HoldChanged, NothingHeld, confirm_hold, open_hold
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from tests.catalog.test_removal_guard import drop, services


@pytest.fixture
def held(engine: Engine, tmp_path: Path) -> int:
    services(tmp_path, 20)
    sync_catalog(engine, [DirectorySource("services", tmp_path)])
    drop(tmp_path, *range(0, 15))
    report = sync_catalog(engine, [DirectorySource("services", tmp_path)])
    assert report.sources[0].hold is not None
    return report.sources[0].hold.hold_id


def test_a_confirmation_records_who_and_when_once(engine: Engine, held: int) -> None:
    first = confirm_hold(engine, "services", by="slack:U0ALICE", hold_id=held)
    again = confirm_hold(engine, "services", by="slack:U0BOB", hold_id=held)
    assert first.confirmed_by == again.confirmed_by == "slack:U0ALICE"
    assert first.confirmed_at is not None and again.confirmed_at == first.confirmed_at


def test_confirming_an_outdated_notice_shows_the_current_numbers(
    engine: Engine, held: int, tmp_path: Path
) -> None:
    shutil.rmtree(tmp_path / "svc-15")
    sync_catalog(engine, [DirectorySource("services", tmp_path)])
    with pytest.raises(HoldChanged) as caught:
        confirm_hold(engine, "services", by="slack:U0ALICE", hold_id=held)
    assert caught.value.current.removing == 16
    assert "now would remove 16 of 20 entities" in caught.value.user_message
    with writer(engine).begin() as conn:
        current = open_hold(conn, "services")
    assert current is not None and current.confirmed_by is None


def test_confirming_a_source_with_nothing_held_says_so(engine: Engine) -> None:
    with pytest.raises(NothingHeld, match="'nope' has no removals waiting"):
        confirm_hold(engine, "nope", by="cli:ops")
