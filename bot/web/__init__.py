"""The web process: Starlette app, uvicorn serving, the answer pool."""
