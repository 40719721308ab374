"""A small company for KPI scenarios: a tribe of two squads, another tribe of one, services
annotated for PagerDuty, OpenCost, GitHub and GitLab, and two services nobody can place (an
owner group that does not exist, a person in no group)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from pydantic import SecretStr

from integrations.kpis.config import KpisSettings

COMPANY = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: acme, title: ACME}
spec: {type: organization, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: money, title: Money tribe, annotations: {slack.com/channel: C0MONEY}}
spec: {type: tribe, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, title: Payments team, annotations: {slack.com/channel: C0PAYMENTS}}
spec: {type: squad, parent: money, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: checkout-squad
  title: Checkout squad
  annotations: {slack.com/channel: "#checkout"}
spec: {type: squad, parent: money, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform, title: Platform tribe}
spec: {type: tribe, parent: acme, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: infra, title: Infra squad}
spec: {type: squad, parent: platform, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {displayName: Alice Archer, email: alice@acme.example}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {profile: {displayName: Carol Chen, email: carol@acme.example}, memberOf: [checkout-squad]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: dave}
spec: {profile: {displayName: Dave Dunn, email: dave@acme.example}, memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  annotations:
    pagerduty.com/service-id: PPAY001
    backstage.io/kubernetes-id: payments-api
    github.com/project-slug: acme/payments-api
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    pagerduty.com/service-id: PCHK002
    backstage.io/kubernetes-id: checkout
    backstage.io/kubernetes-namespace: shop
    gitlab.com/project-slug: acme/shop/checkout
spec: {type: service, lifecycle: production, owner: checkout-squad}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations:
    pagerduty.com/service-id: PGONE99
    backstage.io/kubernetes-id: ledger
    github.com/project-slug: acme/ledger
spec: {type: service, lifecycle: production, owner: infra}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orphan
  annotations:
    backstage.io/kubernetes-id: orphan
    backstage.io/source-location: url:https://github.com/acme/orphan/tree/main/
spec: {type: service, lifecycle: deprecated, owner: group:ghosts}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: solo
  annotations: {backstage.io/kubernetes-id: solo}
spec: {type: service, lifecycle: experimental, owner: user:dave}
"""

TODAY = date(2026, 12, 7)
YESTERDAY = TODAY - timedelta(days=1)


def at(day: date, hour: int = 10) -> datetime:
    """A moment on ``day`` (UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def settings(
    sources: list[dict[str, object]], env: Mapping[str, str], **extra: object
) -> KpisSettings:
    """``kpis:`` settings as greenroom.yaml would give them, tokens from ``env``."""
    return KpisSettings.model_validate({"sources": sources, **extra}).with_tokens(dict(env))


def secret(value: str) -> SecretStr:
    return SecretStr(value)
