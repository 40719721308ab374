"""Each Slack delivery is claimed once, across replicas sharing the database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import time_machine
from sqlalchemy import Engine, func, select

from slackkit.deliveries import DeliveryLog, delivery_key
from slackkit.tables import slack_deliveries


def test_keys_identify_the_same_request() -> None:
    assert delivery_key({"event_id": "Ev1", "trigger_id": "t"}) == "event:Ev1"
    assert delivery_key({"trigger_id": "1.2.3"}) == "trigger:1.2.3"
    assert delivery_key({"a": 1, "b": 2}) == delivery_key({"b": 2, "a": 1})
    assert delivery_key({"a": 1}) != delivery_key({"a": 2})


def test_only_the_first_of_concurrent_claims_wins(engine: Engine) -> None:
    replicas = [DeliveryLog(engine) for _ in range(4)]
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: replicas[i % 4].claim("event:Ev1"), range(16)))
    assert won.count(True) == 1


def test_old_claims_are_purged(engine: Engine) -> None:
    log = DeliveryLog(engine, keep=timedelta(hours=1))
    with time_machine.travel("2026-01-01 09:00", tick=False) as clock:
        assert log.claim("trigger:old")
        clock.shift(timedelta(hours=2))
        assert log.claim("trigger:new")
    with engine.connect() as conn:
        keys = conn.execute(select(slack_deliveries.c.key)).scalars().all()
        assert keys == ["trigger:new"]
        assert conn.execute(select(func.count()).select_from(slack_deliveries)).scalar() == 1
