"""The scaffolding modal against ``greenroom serve`` on loopback: how fast each step answers.

    .venv/bin/python bench/scaffold_slack_bench.py                 # 10k entities, SQLite
    .venv/bin/python bench/scaffold_slack_bench.py --rounds 50 --runs 5

``greenroom serve`` runs as its own process on the synced synthetic catalog (bench/synthetic.py)
and talks to a loopback Slack in this process; repositories go to bare repositories under
bench/out. Per round, as one user of the catalog:

- ``/greenroom new`` -> the loading modal's ``views.open`` (the trigger lasts 3 s), then the
  picker's ``views.update``;
- Choose python-service -> the form's ``views.update`` (form built from cookiecutter.json,
  owner and system choices from the catalog);
- submit with a name already in the catalog -> the ``response_action: errors`` ack (the
  whole check: caller, form, name rule, catalog, repository host).

Then ``--runs`` whole runs: submit -> ack (progress view) -> the result in the modal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.slack_bench import OUT, SECRET, _pct, start_server, synced_database  # noqa: E402
from bot.block_text import render_view  # noqa: E402
from bot.loopback.signed_requests import SignedRequests  # noqa: E402
from bot.loopback.slack import LoopbackSlack  # noqa: E402


class Driver:
    """One Slack user clicking through the modal."""

    def __init__(self, base: str, slack: LoopbackSlack, user_id: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30, trust_env=False)
        self.slack, self.user_id = slack, user_id
        self.signer = SignedRequests(SECRET, team_id=slack.team_id)

    def post(self, request: object) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = self.http.post("/slack/events", content=request.body, headers=request.headers)  # type: ignore[attr-defined]
        return response, started

    def open(self) -> tuple[str, float, float]:
        before = len(self.slack.calls("views.update"))
        command = self.signer.slash_command(
            "new", user_id=self.user_id, response_url=self.slack.response_url()
        )
        _, started = self.post(command)
        opened = _wait(
            lambda: [
                c
                for c in self.slack.calls("views.open")
                if c.args.get("trigger_id") == command.trigger_id and c.ok
            ]
        )[0]
        picker = self.slack.wait_for("views.update", count=before + 1)[before]
        return str(picker.args["view_id"]), opened.at - started, picker.at - started

    def choose(self, view_id: str, template: str) -> float:
        before = len(self.slack.calls("views.update"))
        action = {
            "action_id": "scaffold.choose",
            "block_id": f"template:{template}",
            "value": template,
        }
        request = self.signer.block_actions(
            [action], user_id=self.user_id, view=self.slack.view(view_id)
        )
        _, started = self.post(request)
        form = self.slack.wait_for("views.update", count=before + 1)[before]
        return form.at - started

    def submit(self, view_id: str, name: str) -> tuple[dict[str, object], float]:
        view = self.slack.view(view_id)
        values: dict[str, dict[str, object]] = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            state: dict[str, object] = {"type": element["type"]}
            if element["type"] == "plain_text_input":
                state["value"] = element.get("initial_value")
            elif element["type"] == "checkboxes":
                state["selected_options"] = element.get("initial_options", [])
            else:
                state["selected_option"] = element.get("initial_option")
            values[block["block_id"]] = {element["action_id"]: state}
        values["field:name"]["value"]["value"] = name  # type: ignore[index]
        values["field:description"]["value"]["value"] = "Made by the benchmark."  # type: ignore[index]
        request = self.signer.view_submission(view, user_id=self.user_id, values=values)
        response, started = self.post(request)
        answer = response.json()
        if answer.get("response_action") == "update":
            self.slack.replace_view(view_id, answer["view"])
        return answer, time.monotonic() - started


def _wait(found: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.005)
    raise TimeoutError("no answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url, names = synced_database(args.entities, args.database_url)
    data = OUT / f"scaffold-slack-{time.time():.0f}"
    os.environ["GREENROOM_DATA_DIR"] = str(data)
    taken = names["component"][0]
    timings: dict[str, list[float]] = {k: [] for k in ("open", "picker", "form", "errors")}
    runs: list[tuple[float, float]] = []
    with LoopbackSlack() as slack:
        email = names["email"][0]
        slack.add_user("U0BENCH", email=email)
        server, base = start_server(url, slack, 1)
        try:
            driver = Driver(base, slack, "U0BENCH")
            for index in range(args.rounds + 3):
                view_id, opened, picker = driver.open()
                form = driver.choose(view_id, "python-service")
                answer, ack = driver.submit(view_id, taken)
                assert answer.get("response_action") == "errors", answer
                if index >= 3:  # warm-up
                    for key, value in zip(timings, (opened, picker, form, ack), strict=True):
                        timings[key].append(value)
            for _ in range(args.runs):
                view_id, _, _ = driver.open()
                driver.choose(view_id, "python-service")
                started = time.monotonic()
                answer, ack = driver.submit(view_id, f"bench-{time.time_ns() % 10**12}")
                assert answer.get("response_action") == "update", answer
                _wait(lambda shown=view_id: "is ready" in render_view(slack.view(shown)), 120)
                runs.append((ack, time.monotonic() - started))
        finally:
            server.terminate()
            server.wait(30)
    print(f"\n{args.entities:,} entities, {args.rounds} rounds (after 3 warm-up), {args.runs} runs")
    print("| step | median | p95 | max |\n|---|---|---|---|")
    labels = {
        "open": "`/greenroom new` -> loading modal (views.open)",
        "picker": "`/greenroom new` -> template picker (views.update)",
        "form": "Choose -> the form (views.update)",
        "errors": "submit -> field errors (the ack, whole check)",
    }
    for key, label in labels.items():
        values = timings[key]
        print(
            f"| {label} | {_ms(_pct(values, 50))} | {_ms(_pct(values, 95))} | {_ms(max(values))} |"
        )
    for ack, total in runs:
        print(f"run: ack {_ms(ack)}, result in the modal after {total:.2f} s")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    main()
