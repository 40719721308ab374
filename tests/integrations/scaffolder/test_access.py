"""Who may scaffold: everyone, some users, members of some groups (sub-groups included), per
template too; admins may do anything. A refusal says who may."""

from __future__ import annotations

import pytest

from catalog import NotAuthorized, parse_ref
from integrations.scaffolder import Scaffolder
from tests.integrations.scaffolder.scaffold_company import ADA, ALAN, GRACE, ROOT, MakeScaffolder


def template_ids(scaffolder: Scaffolder, email: str) -> set[str]:
    return {t.id for t in scaffolder.templates(scaffolder.caller(email))}


def test_everyone_in_the_catalog_may_scaffold_by_default(scaffolder: Scaffolder) -> None:
    assert {"python-service", "python-library", "data-job"} <= template_ids(scaffolder, GRACE)


def test_allowed_groups_include_their_sub_groups(make_scaffolder: MakeScaffolder) -> None:
    scaffolder = make_scaffolder(allowed_groups=["group:platform-tribe"])
    assert "python-service" in template_ids(scaffolder, ADA)
    with pytest.raises(NotAuthorized) as raised:
        scaffolder.templates(scaffolder.caller(GRACE))
    assert raised.value.user_message == (
        "Creating repositories is limited to members of group:platform-tribe."
    )


def test_allowed_users_may_be_named_by_email_or_ref(make_scaffolder: MakeScaffolder) -> None:
    scaffolder = make_scaffolder(allowed_users=[GRACE, "user:ada.lovelace"])
    assert template_ids(scaffolder, GRACE) == template_ids(scaffolder, ADA)
    with pytest.raises(NotAuthorized) as raised:
        scaffolder.form("python-service", scaffolder.caller(ALAN))
    assert raised.value.user_message == (
        "Creating repositories is limited to grace.hopper@globex.example, user:ada.lovelace."
    )


def test_admins_pass_every_rule(make_scaffolder: MakeScaffolder) -> None:
    scaffolder = make_scaffolder(allowed_users=[GRACE])
    assert "platform-only" in template_ids(scaffolder, ROOT)


def test_a_templates_own_rule_hides_it_and_refuses_its_form(scaffolder: Scaffolder) -> None:
    assert "platform-only" in template_ids(scaffolder, ADA)
    assert "platform-only" in template_ids(scaffolder, GRACE)
    root_as_member = scaffolder.caller(ROOT)
    assert "platform-only" in {t.id for t in scaffolder.templates(root_as_member)}
    outsider = scaffolder.caller(ALAN)
    assert "platform-only" not in {t.id for t in scaffolder.templates(outsider)}
    with pytest.raises(NotAuthorized) as raised:
        scaffolder.form("platform-only", outsider)
    assert raised.value.user_message == (
        "The template 'Platform component' may only be used by members of "
        "group:platform-tribe and grace.hopper@globex.example."
    )


def test_someone_not_in_the_catalog_is_told_so(scaffolder: Scaffolder) -> None:
    with pytest.raises(NotAuthorized, match=r"No user in the catalog has the email x@y\.example"):
        scaffolder.caller("x@y.example")


def test_a_user_resolved_elsewhere_becomes_a_caller_by_ref(scaffolder: Scaffolder) -> None:
    by_ref = scaffolder.caller_for(parse_ref("user:ada.lovelace"))
    assert by_ref == scaffolder.caller(ADA)
    with pytest.raises(NotAuthorized, match="is not a user in the catalog"):
        scaffolder.caller_for(parse_ref("group:payments-core"))
