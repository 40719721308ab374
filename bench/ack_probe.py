"""One more sender, in a process of its own: how long the server takes to ack, unclouded by the
benchmark's own threads.

``bench/slack_bench.py`` runs its 50 senders and the loopback Slack as threads of one Python
process. A sender's clock keeps running while it waits for that process's interpreter lock
behind the other 49 senders and the loopback's request threads, so its ack times add the
benchmark's own queueing to the server's. This probe is a single-threaded process: it sends a
signed ``whoami`` every ``--interval`` seconds (closed loop on the ack), times each ack on
``time.monotonic`` (one clock for every process on Linux) and prints one JSON line per probe
(``key``, ``sent``, ``ack``) for the benchmark to read; the replies still go to the loopback
Slack, which stamps their arrival.

    python bench/ack_probe.py BASE_URL SECRET TEAM_ID USER_ID RESPONSE_URL_PREFIX --count N
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.loopback.signed_requests import SignedRequests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base")
    parser.add_argument("secret")
    parser.add_argument("team_id")
    parser.add_argument("user_id")
    parser.add_argument("response_url_prefix", help="the probe's keys are appended to it")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    signer = SignedRequests(args.secret, team_id=args.team_id)
    target = urlsplit(args.base)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    for n in range(args.count):
        key = f"probe-{n}"
        request = signer.slash_command(
            "whoami", user_id=args.user_id, response_url=args.response_url_prefix + key
        )
        sent = time.monotonic()
        try:
            connection.request("POST", "/slack/events", body=request.body, headers=request.headers)
            response = connection.getresponse()
            response.read()
            ack = time.monotonic() - sent if response.status == 200 else None
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            ack = None
        print(json.dumps({"key": key, "sent": sent, "ack": ack}), flush=True)
        time.sleep(max(0.0, args.interval - (time.monotonic() - sent)))


if __name__ == "__main__":
    main()
