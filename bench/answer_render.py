"""Render a fixed set of answers at 100k to files, to check a change leaves them byte-for-byte.

    .venv/bin/python bench/answer_render.py /tmp/before
    .venv/bin/python bench/answer_render.py /tmp/after && diff -r /tmp/before /tmp/after

The questions are those of ``bench/slack_bench.py`` (owner, deps, deps --reverse, impact, find,
team, whoami) over fixed names, asked by several callers as slash commands into an answering
process's app; pages 1, 2 and 4 of each answer (the "Show more" button's request) are kept,
one JSON file per page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.serving import serve_env  # noqa: E402
from bench.slack_bench import SECRET, synced_database  # noqa: E402
from bot.loopback.signed_requests import SignedRequests  # noqa: E402
from bot.loopback.slack import LoopbackSlack  # noqa: E402


def questions(names: dict[str, list[str]], count: int) -> list[str]:
    """``count`` of each kind, over the first names."""
    found: list[str] = []
    for component in names["component"][:count]:
        found += [
            f"owner {component}",
            f"deps {component} --depth 2",
            f"deps {component} --reverse",
            f"impact {component}",
            f"find {component.split('-')[0]}",
        ]
    found += [f"team {group}" for group in names["group"][:count]]
    found += ["whoami"] * 4
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--count", type=int, default=30, help="names per kind")
    args = parser.parse_args()
    url, names = synced_database(args.entities, args.database_url)
    args.out.mkdir(parents=True, exist_ok=True)
    with LoopbackSlack() as slack:
        os.environ.update(serve_env(slack, SECRET))
        from bot.app import create_app
        from bot.web.answer_pool import _Inline
        from bot.web.slack_request import SlackRequest
        from runtime.process import open_runtime
        from slackkit.incoming import RECEIVED
        from slackkit.replies import PAGE_ACTION, ReplyState

        runtime = open_runtime(None, database_url=url)
        app = create_app(runtime, executor=_Inline(), verified=True)
        signer = SignedRequests(SECRET, team_id=slack.team_id)
        users = [f"U{i:08d}" for i in range(len(names["email"]))]
        for user_id, email in zip(users, names["email"], strict=True):
            slack.add_user(user_id, email=email)
        keys = iter(range(10**9))

        def send(signed: object) -> None:
            app.dispatch(
                SlackRequest(
                    body=signed.body.decode(),  # type: ignore[attr-defined]
                    headers=signed.headers,  # type: ignore[attr-defined]
                    context={RECEIVED: time.monotonic()},
                )
            )

        def reply(key: str) -> object:
            return slack.wait_for("response_url", key=key, timeout=30)[-1].args

        pages = 0
        for n, text in enumerate(questions(names, args.count)):
            user_id = users[n % 20]
            key = f"q{next(keys)}"
            send(signer.slash_command(text, user_id=user_id, response_url=slack.response_url(key)))
            stem = f"{n:04d}-{text.replace(' ', '_').replace('/', '_')[:60]}"
            (args.out / f"{stem}-p1.json").write_text(json.dumps(reply(key), indent=1))
            pages += 1
            for page in (1, 3):
                value = ReplyState(text, page).encode()
                key = f"q{next(keys)}"
                action = {"action_id": PAGE_ACTION, "block_id": "greenroom.reply", "value": value}
                send(
                    signer.block_actions(
                        [action], user_id=user_id, response_url=slack.response_url(key)
                    )
                )
                (args.out / f"{stem}-p{page + 1}.json").write_text(json.dumps(reply(key), indent=1))
                pages += 1
    print(f"{pages} pages in {args.out}")


if __name__ == "__main__":
    main()
