"""What the modal shows next to its fields (``response_action: errors``) when a submission is
wrong, and what a good submission becomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.scaffolder import NAME_RULE, Caller, Scaffolder, Submission
from tests.integrations.scaffolder.scaffold_company import GRACE


def submit(scaffolder: Scaffolder, caller: Caller, template: str, **values: object) -> Submission:
    form = scaffolder.form(template, caller)
    return scaffolder.validate(form, {"description": "Takes payments."} | values)


@pytest.mark.parametrize(
    "name",
    ["../../etc", "Payments", "a", "-api", "api-", "pay--api", "pay_api", "x" * 64, "pay api", ""],
)
def test_names_that_are_not_lowercase_words_and_hyphens_are_refused(
    scaffolder: Scaffolder, ada: Caller, name: str
) -> None:
    submission = submit(scaffolder, ada, "python-service", name=name)
    assert submission.errors["name"] in {NAME_RULE, "Name is required."}
    assert not submission.ok


def test_a_good_submission_has_no_errors_and_normalised_values(
    scaffolder: Scaffolder, ada: Caller
) -> None:
    submission = submit(
        scaffolder,
        ada,
        "python-service",
        name="payments-api",
        port="8000",
        system="system:default/payments",
        project_name="  ",
    )
    assert submission.errors == {}
    assert submission.values == {
        "name": "payments-api",
        "description": "Takes payments.",
        "owner": "group:default/developer-experience",
        "system": "system:default/payments",
        "port": "8000",
    }


def test_a_name_already_in_the_catalog_is_an_error_on_the_name_field(
    scaffolder: Scaffolder, ada: Caller
) -> None:
    submission = submit(scaffolder, ada, "python-service", name="taken-service")
    assert submission.errors == {
        "name": "component:taken-service already exists in the catalog; choose another name."
    }


def test_an_existing_repository_is_an_error_on_the_name_field(
    scaffolder: Scaffolder, ada: Caller, git_root: Path
) -> None:
    (git_root / "ledger.git").mkdir(parents=True)
    submission = submit(scaffolder, ada, "python-service", name="ledger")
    assert submission.errors == {
        "name": "A repository named ledger already exists; choose another name."
    }


def test_required_values_wrong_choices_and_bad_types_are_each_reported(
    scaffolder: Scaffolder, ada: Caller
) -> None:
    submission = submit(
        scaffolder,
        ada,
        "labels",
        name="orders",
        description="",
        cloud="azure",
        enable_metrics="perhaps",
        replicas_per_region="[1, 2]",
    )
    assert submission.errors == {
        "description": "Description is required.",
        "cloud": "'azure' is not one of the choices for Where does it run?.",
        "enable_metrics": "'perhaps' is not yes or no.",
        "replicas_per_region": "Must be a JSON object ({...}).",
    }


def test_broken_json_says_where(scaffolder: Scaffolder, ada: Caller) -> None:
    submission = submit(
        scaffolder, ada, "labels", name="orders", replicas_per_region='{"eu": 1,\n}'
    )
    assert submission.errors["replicas_per_region"].startswith("Not valid JSON:")
    assert "(line 2)" in submission.errors["replicas_per_region"]


def test_a_team_the_caller_is_not_in_cannot_be_the_owner(
    scaffolder: Scaffolder, ada: Caller
) -> None:
    submission = submit(
        scaffolder, ada, "python-service", name="ledger", owner="group:default/payments-core"
    )
    assert "owner" in submission.errors


def test_the_owner_may_be_left_to_the_default_team(scaffolder: Scaffolder) -> None:
    submission = submit(scaffolder, scaffolder.caller(GRACE), "python-service", name="ledger")
    assert submission.values["owner"] == "group:default/payments-core"


def test_unknown_fields_and_multi_line_names_are_refused(
    scaffolder: Scaffolder, ada: Caller
) -> None:
    submission = submit(
        scaffolder, ada, "python-service", name="ledger", project_name="a\nb", colour="red"
    )
    assert submission.errors["project_name"] == "Display name must be plain text on one line."
    assert submission.errors["colour"].startswith("This template has no field 'colour'")


def test_booleans_accept_checkbox_values_and_words(scaffolder: Scaffolder, ada: Caller) -> None:
    as_bool = submit(scaffolder, ada, "labels", name="orders", enable_tracing=True)
    as_word = submit(scaffolder, ada, "labels", name="orders", enable_tracing="yes")
    assert as_bool.values["enable_tracing"] is as_word.values["enable_tracing"] is True
