"""One scaffold run, start to end: claim the name, render, check the catalog file, publish,
register. Every step is reported to a progress callback (the modal updates itself) and
recorded on the run's row; any failure ends the run as failed with the reason in user
terms, and nothing half-made is kept (temporary folders go, the publisher removes what it
created)."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlalchemy import Engine

from catalog import Catalog, EntityRef, GreenroomError, parse_ref
from catalog.yaml_reader import YamlLimits
from integrations.errors import ScaffoldFailed, SubmissionInvalid
from integrations.repositories import CommitAuthor, PublishedRepository, RepositoryRequest
from integrations.scaffolder.access import Caller
from integrations.scaffolder.catalog_file import DefaultEntity, check_catalog_file
from integrations.scaffolder.discovery import Template
from integrations.scaffolder.form import TemplateForm
from integrations.scaffolder.registration import (
    RegisteredLocation,
    RegisteredLocationsSource,
    register_location,
)
from integrations.scaffolder.render import RenderLimits, render_project
from integrations.scaffolder.runs import claim_run, finish_run, set_step
from integrations.scaffolder.submission import Submission, name_problem
from integrations.scaffolder.targets import PublishTarget

__all__ = [
    "STEPS",
    "PipelineParts",
    "ScaffoldProgress",
    "ScaffoldResult",
    "ScaffoldStep",
    "run_pipeline",
    "template_answers",
]

ScaffoldStep = Literal["claiming", "rendering", "checking", "publishing", "registering", "done"]
STEPS: tuple[tuple[ScaffoldStep, str], ...] = (
    ("claiming", "Reserving the name"),
    ("rendering", "Rendering the template"),
    ("checking", "Checking the new catalog-info.yaml"),
    ("publishing", "Creating the repository"),
    ("registering", "Registering it in the catalog"),
    ("done", "Done"),
)
_LABELS = dict(STEPS)
logger = logging.getLogger(__name__)


class ScaffoldProgress(Protocol):
    """Told when a run reaches each step (``label`` is the step's text for people)."""

    def __call__(self, step: ScaffoldStep, label: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ScaffoldResult:
    """A finished run: the repository, the catalog entry, and what to do next."""

    run_id: int
    template_id: str
    name: str
    repository: PublishedRepository
    entity_ref: EntityRef
    entity_refs: tuple[EntityRef, ...]
    has_docs: bool
    registered: bool
    next_steps: tuple[str, ...]
    warnings: tuple[str, ...]
    seconds: float


@dataclass(frozen=True, slots=True)
class PipelineParts:
    """What a run needs from the process."""

    engine: Engine
    catalog: Catalog
    locations: RegisteredLocationsSource
    default_branch: str
    render_limits: RenderLimits
    yaml_limits: YamlLimits
    work_root: Path | None = None


def template_answers(form: TemplateForm, values: Mapping[str, Any]) -> dict[str, Any]:
    """The cookiecutter answers for checked values (owner/system as refs, "y"/"n" as text)."""
    answers: dict[str, Any] = {}
    for field in form.fields:
        if field.variable is None or field.key not in values:
            continue
        value = values[field.key]
        if field.key in {"owner", "system"}:
            value = parse_ref(value).short
        elif field.yes_no is not None:
            value = field.yes_no[0] if value else field.yes_no[1]
        answers[field.variable] = value
    return answers


def run_pipeline(
    parts: PipelineParts,
    template: Template,
    form: TemplateForm,
    submission: Submission,
    caller: Caller,
    target: PublishTarget,
    *,
    trigger: str,
    progress: ScaffoldProgress | None = None,
) -> ScaffoldResult:
    """Create the repository and its catalog entry; raises a GreenroomError saying why not."""
    if not submission.ok:
        raise SubmissionInvalid(submission.errors)
    started = time.monotonic()
    values = submission.values
    name = str(values["name"])

    def step(run_id: int | None, current: ScaffoldStep) -> None:
        if run_id is not None and current != "done":
            set_step(parts.engine, run_id, current)
        if progress is not None:
            try:
                progress(current, _LABELS[current])
            except Exception:  # showing progress must never break the run itself
                logger.warning("scaffold progress callback failed at %s", current, exc_info=True)

    step(None, "claiming")
    stale = timedelta(seconds=2 * parts.render_limits.seconds + 600)
    run_id = claim_run(
        parts.engine,
        template=template.id,
        name=name,
        requested_by=str(caller.ref),
        email=caller.email,
        trigger=trigger,
        values=values,
        stale_after=stale,
    )
    repository: PublishedRepository | None = None
    try:
        problem = name_problem(name, catalog=parts.catalog, publisher=target.publisher)
        if problem is not None:
            raise SubmissionInvalid({"name": problem})
        owner, system = parse_ref(values["owner"]), values.get("system")
        with tempfile.TemporaryDirectory(prefix="greenroom-scaffold-", dir=parts.work_root) as tmp:
            step(run_id, "rendering")
            answers = template_answers(form, values)
            project = render_project(
                template, answers, work_dir=Path(tmp), limits=parts.render_limits
            )
            step(run_id, "checking")
            default = DefaultEntity(
                name=name,
                description=str(values.get("description", "")),
                owner=owner.short,
                system=parse_ref(system).short if system else None,
                type=template.metadata.component_type,
            )
            catalog_file = check_catalog_file(
                project.path,
                catalog=parts.catalog,
                default=default,
                limits=parts.yaml_limits,
                kinds=template.metadata.registers,
            )
            step(run_id, "publishing")
            owner_entity = parts.catalog.get(owner)
            request = RepositoryRequest(
                name=name,
                description=str(values.get("description", "")),
                visibility=template.metadata.visibility or target.visibility,
                topics=tuple(template.metadata.tags),
                owner_team_slug=target.team_slug(owner_entity.entity if owner_entity else None),
                default_branch=parts.default_branch,
            )
            author = CommitAuthor(caller.name, caller.email)
            repository = target.publisher.publish(project.path, request, author)
        step(run_id, "registering")
        location = RegisteredLocation(
            name,
            repository.clone_url,
            parts.default_branch,
            web_url=repository.web_url,
            provider=target.name,
            annotations=repository.annotations,
            template=template.id,
        )
        try:
            report = register_location(
                parts.engine,
                parts.locations,
                location,
                registered_by=str(caller.ref),
                run_id=run_id,
                limits=parts.yaml_limits,
                kinds=template.metadata.registered_kinds,
            )
        except Exception as error:
            raise ScaffoldFailed(
                f"The repository {repository.web_url} was created, but registering it in the "
                f"catalog failed ({type(error).__name__}); an admin can run `greenroom sync`."
            ) from error
    except GreenroomError as error:
        logger.info("scaffold run %s (%s, %s) failed: %s", run_id, template.id, name, error)
        url = repository.web_url if repository else None
        finish_run(
            parts.engine, run_id, status="failed", error=error.user_message, repository_url=url
        )
        raise
    except BaseException:
        logger.exception("scaffold run %s (%s, %s) crashed", run_id, template.id, name)
        finish_run(parts.engine, run_id, status="failed", error="internal error (see the logs)")
        raise
    registered = str(catalog_file.main) in report.added
    warnings = tuple(str(p) for p in report.problems)
    if not registered:
        warnings += ("The catalog will show it after the next sync.",)
    finish_run(
        parts.engine,
        run_id,
        status="succeeded",
        repository_url=repository.web_url,
        entity_ref=str(catalog_file.main),
    )
    step(run_id, "done")
    logger.info("scaffold run %s created %s at %s", run_id, catalog_file.main, repository.web_url)
    return ScaffoldResult(
        run_id=run_id,
        template_id=template.id,
        name=name,
        repository=repository,
        entity_ref=catalog_file.main,
        entity_refs=catalog_file.refs,
        has_docs=catalog_file.has_docs,
        registered=registered,
        next_steps=_next_steps(template, name, repository),
        warnings=warnings,
        seconds=round(time.monotonic() - started, 3),
    )


def _next_steps(template: Template, name: str, repository: PublishedRepository) -> tuple[str, ...]:
    steps = template.metadata.next_steps or ["Clone it: git clone {clone_url}"]
    fill = {"{name}": name, "{clone_url}": repository.clone_url, "{web_url}": repository.web_url}
    result = []
    for text in steps:
        for key, value in fill.items():
            text = text.replace(key, value)
        result.append(text)
    return tuple(result)
