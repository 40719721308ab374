"""CI actions on an entity's repository: ``run-workflow`` dispatches a GitHub Actions workflow
(``workflow_dispatch``) or creates a GitLab pipeline, on a branch, with inputs.

The repository is the one the entity's annotations name (``locate_repository``), on a host
configured in ``repositories.hosts``, whose ``token_env`` token is used; the token needs
GitHub's ``actions:write`` (or ``repo``) / GitLab's ``api`` scope. Inputs whose names look
secret are redacted in every record."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from catalog import Entity
from integrations.actions.errors import ActionFailed, ActionRefused
from integrations.actions.model import FormField, Outcome, Plan, Target, looks_secret, redact
from integrations.actions.registry import Action, ActionContext, register_action
from integrations.repositories import RepoLocationError, RepositoryHostSettings, locate_repository

__all__ = ["RunWorkflowAction", "api_url_of", "parse_inputs"]

_MAX_INPUTS = 10  # GitHub's limit on workflow_dispatch inputs


def api_url_of(host: RepositoryHostSettings) -> str:
    """The REST API of a configured host: api.github.com, GHE's /api/v3, GitLab's /api/v4."""
    parts = urlsplit(host.url)
    if host.type == "gitlab":
        return f"{host.url}/api/v4"
    if parts.hostname == "github.com":
        return "https://api.github.com"
    return f"{host.url}/api/v3"


def parse_inputs(text: str) -> dict[str, str]:
    """``key=value, other=value`` (commas or new lines) -> inputs; ActionRefused if malformed."""
    inputs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise ActionRefused(f"Inputs are key=value pairs; {part[:40]!r} is not one.")
        if looks_secret(key):
            raise ActionRefused(
                f"The input {key.strip()[:40]!r} looks like a secret; secrets belong in the CI's "
                "own secret store, never in Slack or greenroom's records."
            )
        inputs[key.strip()] = value.strip()
    if len(inputs) > _MAX_INPUTS:
        raise ActionRefused(f"At most {_MAX_INPUTS} inputs may be passed to a workflow.")
    return inputs


@register_action
class RunWorkflowAction(Action):
    """GitHub ``workflow_dispatch`` or a GitLab pipeline for the entity's repository."""

    name = "run-workflow"
    title = "Run workflow"
    description = "Run a GitHub Actions workflow or a GitLab pipeline, with inputs"
    target_kinds = ("Repository",)
    fields = (
        FormField("workflow", "Workflow", required=False, hint="GitHub: the file, e.g. deploy.yml"),
        FormField("ref", "Branch or tag", required=False, hint="default: the default branch"),
        FormField("inputs", "Inputs", required=False, hint="key=value, key=value"),
    )

    def targets(self, ctx: ActionContext, entity: Entity) -> list[Target]:
        _, path = self._repository(ctx, entity)
        return [Target("Repository", path)]

    def _repository(self, ctx: ActionContext, entity: Entity) -> tuple[RepositoryHostSettings, str]:
        hosts = ctx.repositories.hosts if ctx.repositories is not None else []
        try:
            location = locate_repository(entity, hosts)
        except RepoLocationError as error:
            raise ActionRefused(
                f"{entity.ref.short} names no repository greenroom knows: {error}."
            ) from None
        if location.host.type not in {"github", "gitlab"}:
            raise ActionRefused(
                f"The host {location.host.url} has no type (github or gitlab) in "
                "repositories.hosts, so greenroom cannot start its CI."
            )
        path = location.web_url.removeprefix(location.host.url).strip("/")
        return location.host, path

    def _client(self, ctx: ActionContext, host: RepositoryHostSettings) -> httpx.Client:
        if host.token is None or not host.token.get_secret_value():
            raise ActionRefused(
                f"No token for {host.url}: set token_env in repositories.hosts (it needs "
                "GitHub actions:write / GitLab api)."
            )
        token = host.token.get_secret_value()
        headers = {"Authorization": f"Bearer {token}", "User-Agent": "greenroom"}
        if host.type == "github":
            headers["Accept"] = "application/vnd.github+json"
        timeout = ctx.settings.call_timeout_seconds
        return httpx.Client(
            base_url=api_url_of(host) + "/",
            headers=headers,
            timeout=timeout,
            transport=ctx.http_transport,
            trust_env=False,
        )

    def _call(
        self,
        client: httpx.Client,
        host: RepositoryHostSettings,
        method: str,
        path: str,
        doing: str,
        **kwargs: Any,
    ) -> httpx.Response:
        try:
            return client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ActionFailed(
                f"{host.url} did not answer while {doing} ({type(error).__name__})."
            ) from None

    def plan(
        self, ctx: ActionContext, entity: Entity, target: Target, params: Mapping[str, str]
    ) -> Plan:
        values = self.check_params(params)
        inputs = parse_inputs(values.get("inputs", ""))
        host, path = self._repository(ctx, entity)
        with self._client(ctx, host) as client:
            repo_path = (
                f"repos/{path}" if host.type == "github" else f"projects/{quote(path, safe='')}"
            )
            repo = self._call(client, host, "GET", repo_path, "reading the repository")
            _check(repo, host, f"the repository {path}")
            ref = values.get("ref") or str(repo.json().get("default_branch") or "main")
            if host.type == "github":
                workflow = values.get("workflow", "")
                if not workflow:
                    raise ActionRefused("Which workflow? Give its file name, e.g. deploy.yml.")
                answer = self._call(
                    client,
                    host,
                    "GET",
                    f"repos/{path}/actions/workflows/{quote(workflow)}",
                    "reading the workflow",
                )
                _check(answer, host, f"the workflow {workflow} in {path}")
                state = answer.json().get("state")
                if state != "active":
                    raise ActionRefused(f"The workflow {workflow} is {state}; enable it first.")
                what = f"Run workflow {workflow} of {path} on {ref}"
            else:
                workflow = ""
                what = f"Run a pipeline of {path} on {ref}"
        shown = redact(inputs)
        changes = [f"{'workflow_dispatch' if host.type == 'github' else 'new pipeline'} on {ref}"]
        changes += [f"input {k} = {v}" for k, v in shown.items()]
        return Plan(
            self.name,
            target,
            what
            + (f" with {len(inputs)} input{'s' if len(inputs) != 1 else ''}" if inputs else ""),
            tuple(changes),
            before={},
            after={"ref": ref, "workflow": workflow, "host": host.type},
            params={"workflow": workflow, "ref": ref, "inputs": values.get("inputs", "")},
            switch=self.name,
        )

    def apply(self, ctx: ActionContext, entity: Entity, plan: Plan) -> Mapping[str, Any]:
        host, path = self._repository(ctx, entity)
        inputs = parse_inputs(str(plan.params.get("inputs", "")))
        ref = str(plan.after["ref"])
        started = datetime.now(UTC).replace(microsecond=0)
        with self._client(ctx, host) as client:
            if host.type == "github":
                workflow = str(plan.after["workflow"])
                answer = self._call(
                    client,
                    host,
                    "POST",
                    f"repos/{path}/actions/workflows/{quote(workflow)}/dispatches",
                    "dispatching the workflow",
                    json={"ref": ref, "inputs": inputs},
                )
                _check(answer, host, f"dispatching {workflow}", ok=(200, 204))
                return {"started": started.isoformat()}
            variables = [{"key": k, "value": v} for k, v in inputs.items()]
            answer = self._call(
                client,
                host,
                "POST",
                f"projects/{quote(path, safe='')}/pipeline",
                "creating the pipeline",
                json={"ref": ref, "variables": variables},
            )
            _check(answer, host, "creating the pipeline", ok=(201,))
            body = answer.json()
            return {"pipeline": body.get("id"), "web_url": body.get("web_url")}

    def verify(self, ctx: ActionContext, entity: Entity, plan: Plan, *, deadline: float) -> Outcome:
        host, path = self._repository(ctx, entity)
        applied = dict(plan.after.get("applied") or {})
        started = time.monotonic()
        with self._client(ctx, host) as client:
            while True:
                if host.type == "gitlab":
                    pipeline = applied.get("pipeline")
                    answer = self._call(
                        client,
                        host,
                        "GET",
                        f"projects/{quote(path, safe='')}/pipelines/{pipeline}",
                        "reading the pipeline",
                    )
                    if answer.status_code == 200:
                        body = answer.json()
                        return Outcome(
                            True,
                            f"Pipeline #{body.get('id')} is {body.get('status')}.",
                            {"pipeline": body.get("id"), "status": body.get("status")},
                            True,
                            time.monotonic() - started,
                            link=body.get("web_url"),
                        )
                else:
                    workflow = str(plan.after["workflow"])
                    answer = self._call(
                        client,
                        host,
                        "GET",
                        f"repos/{path}/actions/workflows/{quote(workflow)}/runs",
                        "reading the workflow's runs",
                        params={
                            "event": "workflow_dispatch",
                            "branch": plan.after["ref"],
                            "per_page": 5,
                        },
                    )
                    if answer.status_code == 200:
                        since = str(applied.get("started") or "")
                        runs = [
                            r
                            for r in answer.json().get("workflow_runs") or []
                            if _utc(str(r.get("created_at") or "")) >= since
                        ]
                        if runs:
                            run = runs[0]
                            return Outcome(
                                True,
                                f"Workflow run #{run.get('run_number')} is {run.get('status')}.",
                                {"run": run.get("id"), "status": run.get("status")},
                                True,
                                time.monotonic() - started,
                                link=run.get("html_url"),
                            )
                if time.monotonic() >= deadline:
                    return Outcome(
                        False,
                        "The run was requested but has not appeared yet; check the CI page.",
                        {},
                        False,
                        time.monotonic() - started,
                    )
                time.sleep(min(1.0, max(deadline - time.monotonic(), 0.05)))


def _utc(value: str) -> str:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()
    except ValueError:
        return ""


def _check(
    answer: httpx.Response, host: RepositoryHostSettings, what: str, *, ok: tuple[int, ...] = (200,)
) -> None:
    if answer.status_code in ok:
        return
    said = ""
    try:
        body = answer.json()
        said = str(body.get("message") or "") if isinstance(body, dict) else ""
    except ValueError:
        pass
    status = answer.status_code
    if status == 404:
        raise ActionRefused(f"{host.url} knows no {what} (404), or the token may not see it.")
    if status in {401, 403}:
        raise ActionFailed(
            f"{host.url} refused {what} ({status} {said[:120]}): the token in "
            f"{host.token_env} lacks GitHub actions:write / GitLab api, or is revoked."
        )
    raise ActionFailed(f"{host.url} refused {what} ({status} {said[:200]}).")
