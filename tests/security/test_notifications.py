"""Boundary: catalog (and cluster, and template) text in what greenroom posts. Wherever such
text reaches Slack (answers, the Home tab, digests, nudges, health alerts, scaffold results)
it is inert: no bidi control reorders it, no mrkdwn marker in it formats, no ``>`` quotes,
no ``<!channel>`` pings. Each check models Slack's rules: markers format only at word
boundaries, and a zero-width space counts as a word character."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from catalog import EntityRef, parse_ref
from catalog.quality import CatalogQuality
from catalog.store import EntitySummary
from catalog.tech_migrations import CheckFailure, Nudge, RemainingItem
from commands.k8s.alerts import alert_message, overflow_message
from commands.migrations.blocks import digest_blocks, digest_text
from commands.migrations.nudge_blocks import nudge_message
from commands.migrations.quality_blocks import quality_message
from commands.scaffold.messages import failure_message, result_message
from integrations.kubernetes import Change, Finding, HealthNotification, ObjectRef, Severity
from integrations.repositories.base import PublishedRepository
from integrations.scaffolder import ScaffoldResult
from integrations.techdocs import DocsLinks
from integrations.techdocs.settings import TechDocsSettings
from slackkit import blocks as bk
from tests.commands.migrations.test_blocks import digest
from tests.scenarios.conftest import ACME
from tests.scenarios.workspace import Workspace

RLO, LRI, PDI, ALM = "\u202e", "\u2066", "\u2069", "\u061c"
HOSTILE = f"{RLO}exe.txt {LRI}*PWN* _PWN_ ~PWN~ `PWN`{PDI}{ALM} <!channel>\n> PWN quoted"
ONE_LINE = HOSTILE.replace("\n", " ")

_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CODE_SPAN = re.compile(r"(?<![\w\u200b])`[^`\n]+`(?![\w\u200b])")
_FORMATS = re.compile(r"(?<![\w\u200b])([*_~`])PWN\1(?![\w\u200b])")
_QUOTE = re.compile(r"^\s*&gt; PWN", re.MULTILINE)
_PING = re.compile(r"<!channel>")


def _texts(node: Any, *, mrkdwn: bool = True) -> Iterator[tuple[bool, str]]:
    """Every text in a message, view or block list, and whether Slack reads it as mrkdwn."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind in {"plain_text", "mrkdwn"} and isinstance(node.get("text"), str):
            yield kind == "mrkdwn", node["text"]
            return
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield mrkdwn, value  # a message's notification text
            else:
                yield from _texts(value, mrkdwn=mrkdwn)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item, mrkdwn=mrkdwn)


def live_markup(payload: Any) -> list[str]:
    """What in ``payload`` would not show as plain text: bidi controls anywhere, and in
    mrkdwn any marker pair, quote or ping that came from the hostile text."""
    found = [f"bidi control in {t[:60]!r}" for _, t in _texts(payload) if _BIDI.search(t)]
    for is_mrkdwn, text in _texts(payload):
        if not is_mrkdwn:
            continue
        outside_code = _CODE_SPAN.sub("", text)
        for pattern in (_FORMATS, _QUOTE, _PING):
            if match := pattern.search(outside_code):
                found.append(f"{match.group()!r} live in {text[:120]!r}")
    assert "PWN" in json.dumps(payload), "the hostile text never reached the payload"
    return found


# -- answers and the Home tab, from a hostile catalog ---------------------------------------
HOSTILE_CATALOG = f"""
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: hostile
  title: {json.dumps(ONE_LINE)}
  description: {json.dumps(HOSTILE)}
  tags: [python]
  links: [{{url: "https://wiki.acme.example/hostile", title: {json.dumps(ONE_LINE)}}}]
spec: {{type: service, lifecycle: production, owner: troublemakers, system: money,
        dependsOn: [component:payments-api]}}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {{name: troublemakers, description: {json.dumps(HOSTILE)}}}
spec:
  type: team
  parent: acme
  children: []
  profile: {{displayName: {json.dumps(ONE_LINE)}}}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {{name: mallory}}
spec:
  profile: {{displayName: {json.dumps(ONE_LINE)}, email: mallory@acme.example}}
  memberOf: [troublemakers, payments]
"""


def test_answers_and_the_home_tab_keep_catalog_text_inert(
    serve_greenroom: Callable[..., Workspace], write_catalog: Callable[[str], None]
) -> None:
    workspace = serve_greenroom()
    write_catalog(
        ACME.replace(
            "children: [payments, search, lonely]",
            "children: [payments, search, lonely, troublemakers]",
        )
        + HOSTILE_CATALOG
    )
    found = []
    for question in (
        "owner hostile",
        "team troublemakers",
        "team payments",
        "find hostile",
        "deps hostile",
    ):
        found += [f"{question}: {p}" for p in live_markup(workspace.ask(question))]
    workspace.slack.add_user("U0MALLORY", email="mallory@acme.example", name="mallory")
    found += [f"home: {p}" for p in live_markup(workspace.open_home("U0MALLORY"))]
    assert found == []


# -- what the worker posts -------------------------------------------------------------------
SERVICE = parse_ref("component:payments-api")
TEAM = parse_ref("group:payments")


def _finding() -> Finding:
    return Finding(
        "container-waiting",
        Severity.CRITICAL,
        ObjectRef("prod-eu", "payments", "Deployment", "payments-api"),
        HOSTILE,
        f"Kubernetes says: {HOSTILE}",
        HOSTILE,
        pods=("payments-api-1",),
        pod_count=1,
    )


def test_health_alerts_keep_cluster_text_inert() -> None:
    new = HealthNotification(
        Change.NEW, SERVICE, TEAM, "C0PAYMENTS", _finding(), datetime.now(UTC) - timedelta(hours=1)
    )
    gone = HealthNotification(
        Change.RESOLVED, SERVICE, TEAM, "C0PAYMENTS", _finding(), datetime.now(UTC)
    )
    assert live_markup(alert_message([new, gone])) == []
    assert live_markup(overflow_message([[new], [gone]])) == []


def test_nudges_keep_catalog_and_check_text_inert() -> None:
    item = RemainingItem(
        parse_ref("component:hostile"),
        HOSTILE,
        TEAM,
        HOSTILE,
        (CheckFailure(HOSTILE, "fail", HOSTILE), CheckFailure("readme", "error", HOSTILE)),
    )
    nudge = Nudge(
        "python-3-12",
        HOSTILE,
        date(2027, 3, 31),
        TEAM,
        HOSTILE,
        "channel",
        "C0PAYMENTS",
        (),
        (item,),
        timedelta(days=7),
    )
    links: dict[EntityRef, str] = {item.ref: "https://git.acme.example/hostile"}
    text, blocks = nudge_message(nudge, today=date(2026, 11, 20), links=links, command="/greenroom")
    assert live_markup({"text": bk.escape(text), "blocks": blocks}) == []


def test_digests_keep_catalog_and_definition_text_inert() -> None:
    hostile = digest(20, title=HOSTILE)
    posted = {
        "text": bk.escape(digest_text(hostile)),
        "blocks": digest_blocks(hostile, command="/greenroom"),
    }
    assert live_markup(posted) == []

    summary = EntitySummary(parse_ref("component:hostile"), HOSTILE, HOSTILE, HOSTILE, HOSTILE)
    quality = CatalogQuality(
        entities=3,
        without_owner=(summary,),
        without_owner_total=1,
        dangling_owner=(),
        dangling_owner_total=0,
        dangling_refs=(),
        dangling_refs_total=0,
        services_without_docs=(summary,),
        services_without_docs_total=1,
        last_sync=None,
    )
    text, blocks = quality_message(quality)
    assert live_markup({"text": bk.escape(text) + " PWN", "blocks": blocks}) == []


def test_scaffold_results_keep_template_and_hook_text_inert() -> None:
    result = ScaffoldResult(
        run_id=1,
        template_id="service",
        name="payments-worker",
        repository=PublishedRepository(
            "https://git.acme.example/payments-worker", "git@git.acme.example:pw.git"
        ),
        entity_ref=parse_ref("component:payments-worker"),
        entity_refs=(parse_ref("component:payments-worker"),),
        has_docs=False,
        registered=True,
        next_steps=(HOSTILE,),
        warnings=(HOSTILE,),
        seconds=1.5,
    )
    docs = DocsLinks(TechDocsSettings())
    assert live_markup(result_message(result, command="/greenroom", docs=docs)) == []
    failed = failure_message(f"name {ONE_LINE}", f"the hook said: {HOSTILE}", errors=(HOSTILE,))
    assert live_markup(failed) == []


def test_honest_text_is_left_as_it_was() -> None:
    # Names and prose people copy from answers keep their characters: snake_case, paths,
    # arithmetic, emoji codes and right-to-left scripts are not touched.
    for text in ("legacy_batch_v2", "a*b", "s3://bucket/key", ":rotating_light:", "שלום עולם"):
        assert bk.escape(text) == text
    assert bk.escape("Fish & <chips>") == "Fish &amp; &lt;chips&gt;"
