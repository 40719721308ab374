"""Data pipelines: health from the engines they run on (Airflow, Kubernetes CronJobs), the
freshness of the datasets they write, and lineage across pipelines and datasets (see
docs/pipelines.md). Domain data only: Slack lives in commands/pipelines."""

from __future__ import annotations

__all__: list[str] = []
