"""Slack app benchmark: signed slash commands against ``greenroom serve`` on loopback.

    .venv/bin/python bench/slack_bench.py                      # 100k entities, SQLite
    .venv/bin/python bench/slack_bench.py --entities 10000 --database-url postgresql://...

``greenroom serve`` runs as its own process (uvicorn, 1 worker unless --workers) on the synced
synthetic catalog, talking to a loopback Slack Web API in this process. Each sender is a user:
it sends a signed slash command, waits for the HTTP answer (the ack), then for the reply on
its response_url, then asks the next question. Questions mix owner, deps, impact, find, team
and whoami on random entities. Measured with 1 and with 50 senders.

Targets (issue 3): ack p99 < 300 ms at 50 concurrent senders, final reply p99 < 1 s, no ack
later than Slack's 3 s deadline.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
sys.path.insert(0, str(REPO))

from bench.serving import serve_env, start_serving  # noqa: E402
from bot.loopback.signed_requests import SignedRequests  # noqa: E402
from bot.loopback.slack import LoopbackSlack  # noqa: E402

SECRET = "bench-signing-secret"
DEADLINE = 3.0
_RUNS = itertools.count()


def catalog_dir(size: int) -> Path:
    """The synthetic catalog of ``size`` entities (generated once, shared with catalog_bench)."""
    from bench.synthetic import cached_catalog

    return cached_catalog(size, OUT)


def synced_database(size: int, url: str | None) -> tuple[str, dict[str, list[str]]]:
    """A database holding the catalog, and names to ask about."""
    from runtime.process import open_runtime

    folder = catalog_dir(size)
    location = str(folder / "catalog-info.yaml")
    url = url or f"sqlite:///{OUT / f'slack-bench-{size}.db'}"
    # the synthetic company's org chart is its own: trust it for people and teams
    kinds = ["Component", "API", "Resource", "System", "Domain", "Location", "User", "Group"]
    everything = [{"allow": kinds}]
    runtime = open_runtime(None, database_url=url, catalog={"rules": everything})
    if sum(runtime.catalog.count_by_kind().values()) < size * 0.9:
        started = time.perf_counter()
        report = runtime.sync([location], trigger="bench")
        print(f"synced in {time.perf_counter() - started:.0f}s ({report.status})", flush=True)
    names: dict[str, list[str]] = defaultdict(list)
    for kind, wanted in (("component", 400), ("group", 100), ("user", 60)):
        entities = runtime.catalog.entities(kinds=[kind])
        for stored in entities:
            if kind == "user":
                names["email"].append(str(stored.entity.spec["profile"]["email"]))
            names[kind].append(stored.ref.name)
            if len(names[kind]) >= wanted * 10:
                break
        entities.close()  # type: ignore[attr-defined]
    rng = random.Random(3)
    return url, {k: rng.sample(v, min(len(v), 400)) for k, v in names.items()}


def forget_slack_members(url: str) -> None:
    """Empty what greenroom learnt from Slack about members (as on a new install)."""
    from sqlalchemy import create_engine, delete

    from slackkit.tables import slack_email_misses, slack_users

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(slack_users))
        conn.execute(delete(slack_email_misses))
    engine.dispose()


def read_members(url: str, slack: LoopbackSlack) -> float:
    """The slack.members job's work against the loopback workspace; its seconds."""
    from datetime import timedelta

    from slack_sdk import WebClient

    from catalog import Catalog
    from catalog.database import create_database_engine
    from slackkit.users import UserResolver

    engine = create_database_engine(url)
    started = time.perf_counter()
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    resolver = UserResolver(engine, Catalog(engine), ttl=timedelta(hours=1))
    resolver.learn_members(client, slack.team_id)
    engine.dispose()
    return time.perf_counter() - started


def question(rng: random.Random, names: dict[str, list[str]]) -> tuple[str, str]:
    kind = rng.choices(
        ["owner", "deps", "impact", "find", "team", "whoami"], [30, 20, 10, 15, 15, 10]
    )[0]
    component = rng.choice(names["component"])
    text = {
        "owner": f"owner {component}",
        "deps": f"deps {component} --depth 2",
        "impact": f"impact {component}",
        "find": f"find {component.split('-')[0]}",
        "team": f"team {rng.choice(names['group'])}",
        "whoami": "whoami",
    }[kind]
    return kind, text


def start_server(
    url: str, slack: LoopbackSlack, workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    threads = os.environ.get("LISTENER_THREADS", "4")
    env = serve_env(slack, SECRET, GREENROOM_SLACK__LISTENER_THREADS=threads)
    return start_serving(
        ["--database-url", url],
        ["--workers", str(workers)],
        env=env,
        cwd=REPO,
        log=OUT / "slack-serve.log",
        port=3900 + os.getpid() % 1000,
    )


def process_tree(root: int) -> dict[int, str]:
    """``root`` (the web process) and its descendants, each named: ``web``, ``answers`` (an
    answering process: spawned, or forked by the warm parent), ``parent`` (the warm parent,
    started by the forkserver), ``other`` (the forkserver, the resource tracker)."""
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            children = [
                int(child)
                for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()
            ]
            above = found.get(_parent(pid)) if pid != root else None
        except OSError:
            continue
        if pid == root:
            found[pid] = "web"
        elif b"spawn_main" in command or above == "parent":
            found[pid] = "answers"
        elif b"forkserver" in command and above == "other":
            found[pid] = "parent"
        else:
            found[pid] = "other"
        todo.extend(children)
    return found


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def usage(pids: dict[int, str]) -> dict[int, tuple[str, float, int, int, int]]:
    """Per process: its name, CPU seconds so far, resident memory, its proportional share
    (PSS: a page shared by n processes counts 1/n in each) and its private memory (bytes),
    from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    found = {}
    for pid, label in pids.items():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().split("\n")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick
        pss = next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
        private = sum(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Private_"))
        found[pid] = (label, cpu, rss, pss, private)
    return found


def run(
    base: str,
    slack: LoopbackSlack,
    names: dict[str, list[str]],
    *,
    server_pid: int,
    senders: int,
    requests: int,
    seed: int,
) -> dict[str, object]:
    signer = SignedRequests(SECRET, team_id=slack.team_id)
    users = [(f"U{i:08d}", email) for i, email in enumerate(names["email"])]
    for user_id, email in users:
        slack.add_user(user_id, email=email)
    acks: list[float] = []
    replies: dict[str, list[float]] = defaultdict(list)
    missing = 0
    lock = threading.Lock()
    counter = iter(range(requests))
    run_id = f"run{next(_RUNS)}"

    def sender(index: int) -> None:
        nonlocal missing
        rng = random.Random(seed * 1000 + index)
        client = httpx.Client(
            base_url=base, timeout=30, trust_env=False, limits=httpx.Limits(keepalive_expiry=2)
        )  # uvicorn drops idle connections after 5 s
        user_id, _ = users[index % len(users)]
        for n in counter:
            kind, text = question(rng, names)
            key = f"{run_id}-{index}-{n}"  # unique across runs: a reused key "answers" at once
            req = signer.slash_command(text, user_id=user_id, response_url=slack.response_url(key))
            started = time.monotonic()
            try:
                status = client.post("/slack/events", content=req.body, headers=req.headers)
                ack = time.monotonic() - started if status.status_code == 200 else float("inf")
            except httpx.HTTPError:
                ack = float("inf")
            try:
                call = slack.wait_for("response_url", key=key, timeout=30)[0]
                reply = call.at - started
            except TimeoutError:
                reply = None
            with lock:
                acks.append(ack)
                if reply is None:
                    missing += 1
                else:
                    replies[kind].append(reply)
        client.close()

    pids = process_tree(server_pid) | {os.getpid(): "bench"}
    before = usage(pids)
    started = time.monotonic()
    probe = start_probe(base, slack, users[0][0], run_id) if senders > 1 else None
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(sender, range(senders)))
    elapsed = time.monotonic() - started
    after = usage(pids)
    probed = stop_probe(probe, slack, run_id) if probe is not None else {}
    # CPU milliseconds per request, by process kind (bench: the senders and loopback Slack)
    cpu: dict[str, float] = defaultdict(float)
    for pid, (label, seconds, *_) in after.items():
        cpu[label] += (seconds - before.get(pid, (label, 0.0))[1]) * 1000 / len(acks)
    answering = [
        (rss, pss, own) for label, _, rss, pss, own in after.values() if label == "answers"
    ]
    every = [r for values in replies.values() for r in values]
    return {
        "senders": senders,
        "requests": len(acks),
        "ack_p50": _pct(acks, 50),
        "ack_p99": _pct(acks, 99),
        "ack_max": max(acks),
        "reply_p50": _pct(every, 50),
        "reply_p99": _pct(every, 99),
        "reply_max": max(every),
        "missed_deadlines": sum(a > DEADLINE for a in acks),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "missing_replies": missing,
        "replies_per_second": len(every) / elapsed,
        "by_command": {k: (_pct(v, 50), _pct(v, 99)) for k, v in sorted(replies.items())},
        "cpu_ms_per_request": {k: round(v, 1) for k, v in sorted(cpu.items())},
        "answers_rss_mb": sorted(round(rss / 2**20) for rss, _, _ in answering),
        "answers_pss_mb": sorted(round(pss / 2**20) for _, pss, _ in answering),
        "answers_private_mb": sorted(round(own / 2**20) for _, _, own in answering),
        "parent_rss_pss_mb": [
            (round(r[2] / 2**20), round(r[3] / 2**20)) for r in after.values() if r[0] == "parent"
        ],
        "web_rss_mb": [round(r[2] / 2**20) for r in after.values() if r[0] == "web"],
        **probed,
    }


def start_probe(
    base: str, slack: LoopbackSlack, user_id: str, run_id: str
) -> subprocess.Popen[str]:
    """``bench/ack_probe.py`` beside the senders: acks timed outside this process's lock."""
    prefix = f"{slack.url}/response/{run_id}-"
    command = [sys.executable, str(REPO / "bench" / "ack_probe.py"), base, SECRET]
    command += [slack.team_id, user_id, prefix, "--count", "100000"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)


def stop_probe(
    probe: subprocess.Popen[str], slack: LoopbackSlack, run_id: str
) -> dict[str, object]:
    """The probe's ack and reply percentiles (its replies as the loopback Slack stamped them)."""
    probe.terminate()
    output, _ = probe.communicate(timeout=30)
    lines = [json.loads(line) for line in output.splitlines() if line.endswith("}")]
    arrived = {c.key: c.at for c in slack.calls("response_url")}
    acks = [p["ack"] if p["ack"] is not None else float("inf") for p in lines]
    replies = [arrived[k] - p["sent"] for p in lines if (k := f"{run_id}-{p['key']}") in arrived]
    if not acks:
        return {}
    found: dict[str, object] = {"probe_acks": len(acks), "probe_ack_p50": _pct(acks, 50)}
    found |= {"probe_ack_p99": _pct(acks, 99), "probe_ack_max": max(acks)}
    if replies:
        found |= {"probe_reply_p50": _pct(replies, 50), "probe_reply_p99": _pct(replies, 99)}
    return found


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=500, help="per concurrency level")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--new-install",
        action="store_true",
        help="empty the Slack caches first (members and misses): the first minutes of a new "
        "install, when every user and mention is looked up in Slack for the first time",
    )
    parser.add_argument(
        "--read-members",
        action="store_true",
        help="with --new-install: then read the member list as the slack.members job does "
        "(`greenroom jobs run slack.members` on a new install)",
    )
    args = parser.parse_args()
    url, names = synced_database(args.entities, args.database_url)
    if args.new_install:
        forget_slack_members(url)
    results = []
    with LoopbackSlack() as slack:
        if args.read_members:
            for index, email in enumerate(names["email"]):
                slack.add_user(f"U{index:08d}", email=email)  # the senders, as run() adds them
            print(f"member list read in {read_members(url, slack):.2f}s", flush=True)
        server, base = start_server(url, slack, args.workers)
        try:
            run(
                base, slack, names, server_pid=server.pid, senders=4, requests=40, seed=0
            )  # warm-up
            for run_index in range(args.runs):
                for senders in (1, 50):
                    count = args.requests // 5 if senders == 1 else args.requests
                    result = run(
                        base,
                        slack,
                        names,
                        server_pid=server.pid,
                        senders=senders,
                        requests=count,
                        seed=run_index + 1,
                    )
                    results.append(result)
                    print(json.dumps(result), flush=True)
        finally:
            server.terminate()
            server.wait(30)
    print()
    print(
        "| senders | requests | ack p50 / p99 / max | reply p50 / p99 / max | missed 3 s |", end=""
    )
    print(" replies/s | probe: ack p50 / p99, reply p99 |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['senders']} | {r['requests']} "
            f"| {_ms(r['ack_p50'])} / {_ms(r['ack_p99'])} / {_ms(r['ack_max'])} "
            f"| {_ms(r['reply_p50'])} / {_ms(r['reply_p99'])} / {_ms(r['reply_max'])} "
            f"| {r['missed_deadlines']} | {r['replies_per_second']:.0f} | {_probed(r)} |"
        )


def _probed(result: dict[str, object]) -> str:
    if "probe_ack_p99" not in result:
        return "-"
    acks = f"{_ms(result['probe_ack_p50'])} / {_ms(result['probe_ack_p99'])}"
    return f"{acks}, {_ms(result.get('probe_reply_p99', float('nan')))}"


def _ms(seconds: object) -> str:
    return f"{float(seconds) * 1000:.0f} ms"  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
