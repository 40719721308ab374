"""Names shared by the scaffolder tests: the fixture company's people and folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from catalog.sources import DirectorySource
from integrations.scaffolder import Scaffolder

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COMPANY = FIXTURES / "catalog"
ADA = "ada.lovelace@globex.example"  # developer-experience (under platform-tribe)
GRACE = "grace.hopper@globex.example"  # payments-core
ALAN = "alan.turing@globex.example"  # in no team
ROOT = "root.admin@globex.example"  # data-squad, and an admin

#: make_scaffolder(publisher=None, **settings) -> Scaffolder (the conftest fixture)
MakeScaffolder = Callable[..., Scaffolder]


def company_source() -> DirectorySource:
    """The catalog source holding the fixture company."""
    return DirectorySource("company", COMPANY)
