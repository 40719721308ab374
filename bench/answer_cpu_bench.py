"""CPU per answer, by subcommand: the Bolt app of an answering process, one question at a time.

    .venv/bin/python bench/answer_cpu_bench.py                  # 100k entities, SQLite
    .venv/bin/python bench/answer_cpu_bench.py --entities 10000 --profile impact

The app is built as an answering process builds it (``bot/web/answer_pool.py``) on the catalog
and the questions of ``bench/slack_bench.py``, with the loopback Slack in this process. Each
signed slash command is dispatched in this thread and timed with the thread's CPU clock, so
the figures hold when other work shares the machine (wall times do not). With ``--profile
KIND`` (or ``all``) the answers of that kind run under cProfile, also on the thread's CPU
clock, and the top of the profile is printed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.serving import serve_env  # noqa: E402
from bench.slack_bench import SECRET, question, synced_database  # noqa: E402
from bot.loopback.signed_requests import SignedRequests  # noqa: E402
from bot.loopback.slack import LoopbackSlack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--questions", type=int, default=360)
    parser.add_argument("--profile", metavar="KIND", help="owner, deps, impact, ... or all")
    args = parser.parse_args()
    url, names = synced_database(args.entities, args.database_url)
    with LoopbackSlack() as slack:
        os.environ.update(serve_env(slack, SECRET))
        from bot.app import create_app
        from bot.web.answer_pool import _Inline
        from bot.web.slack_request import SlackRequest
        from catalog.graph import needs_edges
        from runtime.process import open_runtime
        from slackkit.incoming import RECEIVED

        runtime = open_runtime(None, database_url=url)
        app = create_app(runtime, executor=_Inline(), verified=True)
        needs_edges(runtime.catalog)
        gc.collect()
        gc.freeze()
        signer = SignedRequests(SECRET, team_id=slack.team_id)
        users = [f"U{i:08d}" for i in range(len(names["email"]))]
        for user_id, email in zip(users, names["email"], strict=True):
            slack.add_user(user_id, email=email)
        keys = iter(range(10**9))

        def ask(text: str, user_id: str) -> None:
            url = slack.response_url(f"cpu-{time.time()}-{next(keys)}")
            signed = signer.slash_command(text, user_id=user_id, response_url=url)
            request = SlackRequest(
                body=signed.body.decode(),
                headers=signed.headers,
                context={RECEIVED: time.monotonic()},
            )
            app.dispatch(request)

        rng = random.Random(7)
        for n in range(60):  # warm-up: users known, caches loaded
            ask(question(rng, names)[1], users[n % len(users)])
        cpu: dict[str, list[float]] = defaultdict(list)
        profile = cProfile.Profile(time.thread_time) if args.profile else None
        for _ in range(args.questions):
            kind, text = question(rng, names)
            profiled = profile is not None and args.profile in {kind, "all"}
            if profiled:
                profile.enable()  # type: ignore[union-attr]
            started = time.thread_time()
            ask(text, users[rng.randrange(50)])
            cpu[kind].append(time.thread_time() - started)
            if profiled:
                profile.disable()  # type: ignore[union-attr]
    print("| subcommand | answers | CPU mean / p50 / p99 |")
    print("|---|---|---|")
    for kind, values in sorted(cpu.items()):
        values.sort()
        mean = sum(values) / len(values)
        p50, p99 = values[len(values) // 2], values[int(len(values) * 0.99)]
        figures = " / ".join(f"{v * 1000:.1f}" for v in (mean, p50, p99))
        print(f"| {kind} | {len(values)} | {figures} ms |")
    every = [v for values in cpu.values() for v in values]
    print(f"| all (the slack_bench mix) | {len(every)} | {sum(every) / len(every) * 1000:.1f} ms |")
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
