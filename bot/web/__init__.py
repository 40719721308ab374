"""The web process: the Starlette app behind ``/slack/events`` (``app``), the answer pool that
answers what it acks (``answer_pool``), and serving it with uvicorn or Socket Mode (``serve``).

Import from the modules: ``serve`` must set Prometheus' multiprocess folder before anything
imports ``prometheus_client``, so this package imports nothing itself."""
