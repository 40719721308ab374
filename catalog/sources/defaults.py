"""What sources and their settings share, kept apart from the sources' code so that reading
the settings does not import it: the files a folder source reads by default, and the
variable holding an ad-hoc Backstage source's token."""

from __future__ import annotations

__all__ = ["ADHOC_BACKSTAGE_TOKEN_ENV", "DEFAULT_EXCLUDE", "DEFAULT_INCLUDE"]

DEFAULT_INCLUDE = ("catalog-info.yaml",)
DEFAULT_EXCLUDE = (".git/", "node_modules/", ".venv/")

#: The variable holding the token of an ad-hoc ``--source backstage+URL``.
ADHOC_BACKSTAGE_TOKEN_ENV = "GREENROOM_BACKSTAGE_TOKEN"  # noqa: S105 - a variable's name
