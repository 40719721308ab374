"""The form builder on cookiecutter.json files modelled on popular public templates
(cookiecutter-django, cookiecutter-pypackage, cookiecutter-uv), labelled prompts, a 150-option
choice and a broken file; plus the standard fields and the shipped templates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from catalog import NotAuthorized
from integrations.errors import TemplateInvalid
from integrations.scaffolder import Scaffolder, TemplateForm
from tests.integrations.scaffolder.scaffold_company import ADA, ALAN, FIXTURES, GRACE, ROOT


def form_of(scaffolder: Scaffolder, template: str, email: str = ADA) -> TemplateForm:
    return scaffolder.form(template, scaffolder.caller(email))


def keys(form: TemplateForm) -> list[str]:
    return [f.key for f in form.fields]


def test_django_like_json_gives_selects_checkboxes_and_derived_defaults(
    scaffolder: Scaffolder,
) -> None:
    form = form_of(scaffolder, "django-like")
    selects = [f for f in form.fields if f.kind == "select" and f.variable]
    assert len(selects) == 14
    assert form.field("mail_service").default == "Mailgun"
    assert [o.value for o in form.field("postgresql_version").options] == [
        "17",
        "16",
        "15",
        "14",
        "13",
    ]
    docker, debug = form.field("use_docker"), form.field("debug")
    assert (docker.kind, docker.default, docker.yes_no) == ("boolean", True, ("y", "n"))
    assert (debug.kind, debug.default) == ("boolean", False)
    email = form.field("email")
    assert email.derived and email.default is None
    assert email.placeholder == "mina.okafor@harbor.example"
    assert "_copy_without_render" not in keys(form)


def test_the_name_and_description_fields_fill_the_templates_own_variables(
    scaffolder: Scaffolder,
) -> None:
    form = form_of(scaffolder, "django-like")
    assert keys(form)[:4] == ["name", "description", "owner", "system"]
    assert form.field("name").variable == "project_slug"
    assert form.field("description").variable == "description"
    assert "project_slug" not in keys(form)
    assert form.field("project_name").default == "Harbor Ledger"


def test_pypackage_like_dates_render_with_cookiecutters_now_tag(scaffolder: Scaffolder) -> None:
    form = form_of(scaffolder, "pypackage-like")
    today = datetime.now(UTC).date().isoformat()
    assert form.field("release_date").placeholder == today
    assert form.field("year").placeholder == today[:4]
    assert form.field("pypi_username").placeholder == "tvarga"
    assert form.field("description").variable == "project_short_description"
    assert form.field("use_pytest").default is True


def test_uv_like_yes_no_choice_lists_become_checkboxes_with_the_first_as_default(
    scaffolder: Scaffolder,
) -> None:
    form = form_of(scaffolder, "uv-like")
    assert form.field("include_github_actions").kind == "boolean"
    assert form.field("include_github_actions").default is True
    assert form.field("mkdocs").default is False
    assert form.field("layout").kind == "select"
    assert form.field("description").variable == "project_description"
    assert form.field("name").variable == "project_slug"
    assert form.field("project_name").default == "wave-stats"


def test_prompts_label_questions_and_choices_and_hidden_variables_stay_hidden(
    scaffolder: Scaffolder,
) -> None:
    form = form_of(scaffolder, "labels")
    assert form.field("name").variable == "service_name"
    cloud = form.field("cloud")
    assert cloud.label == "Where does it run?"
    assert [(o.value, o.label) for o in cloud.options] == [
        ("aws", "Amazon Web Services"),
        ("gcp", "Google Cloud"),
    ]
    tier = form.field("tier")
    assert [o.label for o in tier.options] == ["Gold (24/7 on call)", "silver", "bronze"]
    assert form.field("enable_metrics").label == "Export Prometheus metrics?"
    assert form.field("enable_metrics").default is True
    assert form.field("enable_tracing").label == "Enable tracing"
    replicas = form.field("replicas_per_region")
    assert replicas.kind == "json"
    # cookiecutter renders every value of a dict, numbers included, into text
    assert json.loads(str(replicas.default)) == {"eu-west-1": "2", "us-east-1": "3"}
    assert not {"__image", "_internal_flag", "__prompts__"} & set(keys(form))


def test_a_150_option_choice_keeps_every_option_and_can_be_searched(
    scaffolder: Scaffolder,
) -> None:
    field = form_of(scaffolder, "many-choices").field("timezone")
    assert len(field.options) == 150
    assert field.label == "Home time zone"
    form = form_of(scaffolder, "many-choices")
    hits = form.search_options("timezone", "argentina cor")
    assert [o.value for o in hits] == ["America/Argentina/Cordoba"]
    assert len(form.search_options("timezone", "a")) == 100


def test_invalid_json_is_an_error_naming_the_file_and_the_trailing_comma(
    scaffolder: Scaffolder,
) -> None:
    with pytest.raises(TemplateInvalid) as raised:
        form_of(scaffolder, "broken")
    message = raised.value.user_message
    assert str(FIXTURES / "cookiecutter" / "broken" / "cookiecutter.json") in message
    assert "line 4" in message
    assert "trailing comma" in message


def test_owner_choices_are_the_callers_teams_defaulting_to_the_first(
    scaffolder: Scaffolder,
) -> None:
    owner = form_of(scaffolder, "python-service", GRACE).field("owner")
    assert [(o.value, o.label) for o in owner.options] == [
        ("group:default/payments-core", "Payments Core")
    ]
    assert owner.default == "group:default/payments-core"


def test_admins_may_choose_any_group_as_owner(scaffolder: Scaffolder) -> None:
    owner = form_of(scaffolder, "python-service", ROOT).field("owner")
    assert len(owner.options) == 4
    assert owner.default == "group:default/data-squad"


def test_systems_come_from_the_catalog_and_are_optional(scaffolder: Scaffolder) -> None:
    system = form_of(scaffolder, "python-service").field("system")
    assert [o.label for o in system.options] == ["developer-portal", "Payments"]
    assert not system.required and system.default is None


def test_someone_in_no_team_cannot_open_a_form(scaffolder: Scaffolder) -> None:
    with pytest.raises(NotAuthorized, match="not a member of any team"):
        form_of(scaffolder, "python-service", ALAN)


@pytest.mark.parametrize("template", ["python-service", "python-library", "data-job"])
def test_shipped_templates_build_forms_with_their_own_questions(
    scaffolder: Scaffolder, template: str
) -> None:
    form = form_of(scaffolder, template)
    assert form.trusted
    assert form.field("name").variable == "project_slug"
    assert form.field("lifecycle").options[0].label.startswith("Experimental")
    assert form.field("package_name").derived
    assert not {"project_slug", "owner", "system"} & {f.key for f in form.fields[4:]}
