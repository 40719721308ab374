"""Serve the application (``python -m`` this package)."""

from __future__ import annotations

import uvicorn

from {{ cookiecutter.package_name }}.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    uvicorn.run(
        "{{ cookiecutter.package_name }}.app:create_app",
        factory=True,
        host="0.0.0.0",  # inside the container; Kubernetes controls who can reach it
        port=settings.port,
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    main()
