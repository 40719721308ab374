"""Team KPI tables: one value per entity, KPI and day; why an entity had no value from a
source (so a gap is shown as missing, with its reason, never as zero); and which threshold
crossings each team was told about (so it is told once, then on recovery or worsening)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Float, Index, Integer, String, Table, Text

from catalog.database import metadata

__all__ = ["kpi_alerts", "kpi_charts", "kpi_gaps", "kpi_readings", "kpi_values"]

REF = String(400)
KPI = String(63)

kpi_values = Table(
    "kpi_values",
    metadata,
    Column("entity_ref", REF, primary_key=True),
    Column("kpi", KPI, primary_key=True, comment="cost, incidents, security.critical, ..."),
    Column("day", Date, primary_key=True, comment="UTC day the value is for"),
    Column("value", Float, nullable=False),
    Column("source", String(63), nullable=False, comment="the configured source's name"),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    # covering: rollups over a KPI's window read the index alone, never the table
    Index("ix_kpi_values_kpi_day", "kpi", "day", "entity_ref", "value"),
)

kpi_gaps = Table(
    "kpi_gaps",
    metadata,
    Column("entity_ref", REF, primary_key=True),
    Column("source", String(63), primary_key=True),
    Column("reason", Text, nullable=False, comment="why the source had no value for it"),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

kpi_alerts = Table(
    "kpi_alerts",
    metadata,
    Column("group_ref", REF, primary_key=True),
    Column("kpi", KPI, primary_key=True),
    Column("value", Float, nullable=False, comment="the value the team was last told about"),
    Column("told_at", DateTime(timezone=True), nullable=False),
)

kpi_readings = Table(
    "kpi_readings",
    metadata,
    Column("group_ref", REF, primary_key=True),
    Column("kpi", KPI, primary_key=True),
    Column("day", Date, nullable=False, comment="the last day of the window"),
    Column("window_days", Integer, nullable=False),
    Column("current", Float, comment="the window's value; NULL: no data"),
    Column("previous", Float, comment="the window before's value; NULL: no data"),
    Column("reporting", Integer, nullable=False, comment="entities with data"),
    Column("entities", Integer, nullable=False, comment="entities the group is credited with"),
    Column("worst", JSON, nullable=False, comment="[[entity ref, current, previous], ...]"),
    Column("series", JSON, nullable=False, comment="[[day, value], ...] over both windows"),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

kpi_charts = Table(
    "kpi_charts",
    metadata,
    Column("group_ref", REF, primary_key=True),
    Column("fingerprint", String(64), primary_key=True, comment="sha256 of the readings drawn"),
    Column("state", String(8), nullable=False, comment="drawing, ready or failed"),
    Column("file_id", String(32), comment="the Slack file of the PNG, once ready"),
    Column("problem", String(255), comment="why the upload failed (Slack's error code)"),
    Column("at", DateTime(timezone=True), nullable=False, comment="claimed or finished at"),
)
