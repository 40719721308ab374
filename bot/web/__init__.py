"""The web process: the Starlette app behind ``/slack/events`` (``app``), the answer pool that
answers what it acks (``answer_pool``), and serving it with uvicorn or Socket Mode (``serve``)."""

from __future__ import annotations

from bot.web.app import MAX_BODY_BYTES, answer_pool_for, create_web_app, web_app_from_environment

__all__ = ["MAX_BODY_BYTES", "answer_pool_for", "create_web_app", "web_app_from_environment"]
