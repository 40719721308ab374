"""The scaffolder as one object per process: what the Slack modal and the CLI call.

templates(caller)                  -> the picker
form(template_id, caller)          -> the template's form
validate(form, values)             -> per-field errors
run(template_id, values, caller, progress=...) -> the new repository and catalog entry
runs()                             -> recent runs
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import Engine

from catalog import Catalog, EntityRef, NotAuthorized
from catalog.yaml_reader import YamlLimits
from integrations.errors import TemplateInvalid
from integrations.repositories import RepositoryPublisher
from integrations.scaffolder.access import (
    Caller,
    ScaffoldAccess,
    caller_from_email,
    caller_from_ref,
)
from integrations.scaffolder.config import ScaffolderSettings
from integrations.scaffolder.discovery import Template, TemplateIndex, discover_templates
from integrations.scaffolder.form import TemplateForm, build_form
from integrations.scaffolder.pipeline import (
    PipelineParts,
    ScaffoldProgress,
    ScaffoldResult,
    run_pipeline,
)
from integrations.scaffolder.registration import RegisteredLocationsSource
from integrations.scaffolder.render import RenderLimits
from integrations.scaffolder.runs import ScaffoldRun, recent_runs
from integrations.scaffolder.submission import Submission, validate_submission
from integrations.scaffolder.targets import PublishTarget, TargetChooser, single_target
from integrations.templating import (
    CONTEXT_FILE,
    CookiecutterSpec,
    TemplateError,
    load_spec,
    make_environment,
)

__all__ = ["Scaffolder"]


class Scaffolder:
    """Templates, forms, validation and runs, over one catalog and one publisher."""

    def __init__(
        self,
        *,
        settings: ScaffolderSettings,
        engine: Engine,
        catalog: Catalog,
        publisher: RepositoryPublisher | None = None,
        targets: TargetChooser | None = None,
        locations: RegisteredLocationsSource,
        base_dir: Path,
        yaml_limits: YamlLimits = YamlLimits(),
        work_root: Path | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.catalog = catalog
        if targets is None:
            if publisher is None:
                raise ValueError("give a publisher or a target chooser")
            targets = single_target(publisher)
        self._targets = targets
        self.access = ScaffoldAccess(settings)
        self._base_dir = base_dir
        self._loaded: dict[object, tuple[CookiecutterSpec, Environment]] = {}
        self._parts = PipelineParts(
            engine=engine,
            catalog=catalog,
            locations=locations,
            default_branch=settings.default_branch,
            render_limits=RenderLimits(seconds=settings.time_limit_seconds),
            yaml_limits=yaml_limits,
            work_root=work_root,
        )

    def index(self) -> TemplateIndex:
        """Every configured and shipped template (read again each time: folders change)."""
        return discover_templates(
            self.settings.template_dirs,
            base_dir=self._base_dir,
            shipped=self.settings.shipped_templates,
        )

    def caller(self, email: str) -> Caller:
        """The catalog User behind an email (Slack profile, or ``--as``)."""
        return caller_from_email(self.catalog, email)

    def caller_for(self, user: EntityRef) -> Caller:
        """The caller for a catalog User ref (when Slack already resolved who it is)."""
        return caller_from_ref(self.catalog, user)

    def templates(self, caller: Caller) -> list[Template]:
        """The templates the caller may use (NotAuthorized when they may not scaffold)."""
        self.access.check(caller)
        return [t for t in self.index().templates if self.access.may_use(caller, t)]

    def form(self, template_id: str, caller: Caller) -> TemplateForm:
        """The form of one template for this caller (owner choices are theirs)."""
        template = self.index().get(template_id)
        return self._form(template, caller)

    def validate(self, form: TemplateForm, values: Mapping[str, Any]) -> Submission:
        """Per-field errors: types, required, choices, name rule, name free, no repository."""
        target = self.target(self.index().get(form.template_id))
        return validate_submission(form, values, catalog=self.catalog, publisher=target.publisher)

    def target(self, template: Template) -> PublishTarget:
        """Where the template's repositories go (its ``provider``, else the configured one)."""
        return self._targets(template.metadata.provider)

    def run(
        self,
        template_id: str,
        values: Mapping[str, Any],
        caller: Caller,
        *,
        trigger: str = "slack",
        progress: ScaffoldProgress | None = None,
    ) -> ScaffoldResult:
        """Check everything again, then create, publish and register (blocking: call it off
        the request path). Raises NotAuthorized, SubmissionInvalid, NameTaken, ScaffoldFailed,
        PublishFailed."""
        template = self.index().get(template_id)
        form = self._form(template, caller)
        target = self.target(template)
        submission = validate_submission(
            form, values, catalog=self.catalog, publisher=target.publisher
        )
        return run_pipeline(
            self._parts,
            template,
            form,
            submission,
            caller,
            target,
            trigger=trigger,
            progress=progress,
        )

    def runs(self, *, limit: int = 20) -> list[ScaffoldRun]:
        """Recent runs, newest first."""
        return recent_runs(self.engine, limit=limit)

    def _form(self, template: Template, caller: Caller) -> TemplateForm:
        self.access.check(caller, template)
        owners = self.access.owner_choices(self.catalog, caller)
        if not owners:
            raise NotAuthorized(
                "You are not a member of any team in the catalog, so no team could own "
                "the new repository; ask your platform team to add you to one."
            )
        spec, env = self._load(template)
        try:
            return build_form(
                template,
                spec,
                env,
                catalog=self.catalog,
                owners=owners,
                default_owner=caller.teams[0] if caller.teams else None,
            )
        except TemplateError as error:
            raise TemplateInvalid(f"The template {template.id!r} is broken: {error}") from None

    def _load(self, template: Template) -> tuple[CookiecutterSpec, Environment]:
        """The template's spec and environment, reused until its cookiecutter.json changes."""
        try:
            stat = (template.path / CONTEXT_FILE).stat()
        except OSError:
            stat = None
        key = (template.path, template.trusted, stat and (stat.st_mtime_ns, stat.st_size))
        cached = self._loaded.get(key)
        if cached is not None:
            return cached
        try:
            spec = load_spec(template.path)
            env = make_environment(
                spec.context(), trusted=template.trusted, template_dir=template.path
            )
        except TemplateError as error:
            raise TemplateInvalid(f"The template {template.id!r} cannot be used: {error}") from None
        self._loaded[key] = (spec, env)
        return spec, env
