"""Renders one template in its own process: ``python -m integrations.templating.child JOB``.

The parent (``integrations/scaffolder/render.py``) gives it a temporary folder, a minimal
environment (HOME inside that folder, no secrets) and a time limit, and kills its whole
process group when the limit passes. The job file says what to render (a staged copy of
the template); the outcome is written as JSON to the job's ``result`` path. stdout and stderr
belong to the template's hooks: what people are shown of a failing hook comes from there, so
the child's own logging (cookiecutter's, with its tracebacks) goes to the job's ``log`` file,
which only the server log receives.
"""

from __future__ import annotations

import json
import logging
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import cookiecutter.generate
from cookiecutter.exceptions import (
    CookiecutterException,
    FailedHookException,
    UndefinedVariableInTemplate,
)
from jinja2 import Environment
from jinja2.exceptions import SecurityError, TemplateError as JinjaError

from integrations.templating.environment import make_environment, template_imports
from integrations.templating.errors import TemplateError
from integrations.templating.paths import check_paths
from integrations.templating.spec import load_spec
from integrations.templating.values import resolve_values

__all__ = ["main", "render"]


def render(template_dir: Path, answers: dict[str, Any], output_dir: Path, *, trusted: bool) -> Path:
    """Render the template into ``output_dir``; hooks and extensions only when ``trusted``."""
    spec = load_spec(template_dir)
    env = make_environment(spec.context(), trusted=trusted, template_dir=template_dir)
    values = resolve_values(spec, answers, env)
    values |= {
        "_template": str(template_dir),
        "_output_dir": str(output_dir),
        "_repo_dir": str(template_dir),
        "_checkout": None,
    }
    context = {
        "cookiecutter": values,
        "_cookiecutter": {k: v for k, v in spec.data.items() if not k.startswith("_")},
    }
    check_paths(template_dir, context, env, output_dir)
    if not trusted:
        # generate_files builds its own environment; in this one-shot process, make it the
        # sandboxed one so that file contents of untrusted templates render in the sandbox.
        def sandboxed(ctx: dict[str, Any]) -> Environment:
            return make_environment(ctx, trusted=False, template_dir=template_dir)

        cookiecutter.generate.create_env_with_context = sandboxed
    with template_imports(template_dir) if trusted else nullcontext():
        project = cookiecutter.generate.generate_files(
            repo_dir=str(template_dir),
            context=context,
            output_dir=str(output_dir),
            accept_hooks=trusted,
        )
    return Path(project)


def main(argv: list[str]) -> int:
    """Run the job in ``argv[1]``; exit 0 whatever happened (the result file says)."""
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    logging.basicConfig(
        filename=job["log"], level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.captureWarnings(True)
    result: dict[str, Any]
    try:
        project = render(
            Path(job["template_dir"]),
            job["answers"],
            Path(job["output_dir"]),
            trusted=bool(job["trusted"]),
        )
        result = {"ok": True, "project_dir": str(project)}
    except TemplateError as error:
        result = {"ok": False, "reason": "template", "error": str(error)}
    except FailedHookException as error:
        result = {"ok": False, "reason": "hook", "error": str(error)}
    except UndefinedVariableInTemplate as error:
        detail = getattr(error.error, "message", None) or str(error.error)
        result = {"ok": False, "reason": "undefined", "error": f"{error.message}: {detail}"}
    except SecurityError as error:
        result = {"ok": False, "reason": "sandbox", "error": f"unsafe template code: {error}"}
    except (CookiecutterException, JinjaError, OSError) as error:
        result = {"ok": False, "reason": "template", "error": f"{type(error).__name__}: {error}"}
    except Exception as error:  # a bug in a template's extension, or ours: keep the trace
        logging.getLogger(__name__).exception("rendering crashed")
        result = {"ok": False, "reason": "crash", "error": f"{type(error).__name__}: {error}"}
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
