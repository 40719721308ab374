"""Scaffolding speed: building a template's form (what the modal waits for inside Slack's 3 s
window), validating a submission, and a whole run (render + publish + register) per shipped
template, to a local bare repository, on SQLite.

    .venv/bin/python bench/scaffold_bench.py [--runs 5] [--forms 200]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from catalog import Catalog
from catalog.database import create_database_engine, upgrade_schema
from catalog.sources import DirectorySource
from catalog.sync import sync_catalog
from integrations.repositories import GitRemotePublisher
from integrations.scaffolder import (
    RegisteredLocationsSource,
    Scaffolder,
    ScaffolderSettings,
    TemplateDirSettings,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "integrations" / "scaffolder" / "fixtures"
EMAIL = "ada.lovelace@globex.example"
SHIPPED = ("python-service", "python-library", "data-job")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def build(tmp: Path) -> Scaffolder:
    engine = create_database_engine(f"sqlite:///{tmp / 'bench.db'}")
    upgrade_schema(engine)
    sync_catalog(engine, [DirectorySource("company", FIXTURES / "catalog")])
    settings = ScaffolderSettings(
        template_dirs=[TemplateDirSettings(path=FIXTURES / "cookiecutter")],
        remote_url_template=f"file://{tmp}/git/{{name}}.git",
    )
    (tmp / "work").mkdir()
    return Scaffolder(
        settings=settings,
        engine=engine,
        catalog=Catalog(engine),
        publisher=GitRemotePublisher(settings.remote_url_template),
        locations=RegisteredLocationsSource(engine, cache_dir=tmp / "cache"),
        base_dir=tmp,
        work_root=tmp / "work",
    )


def bench_forms(scaffolder: Scaffolder, repeat: int) -> list[str]:
    caller = scaffolder.caller(EMAIL)
    lines = []
    for template in ("django-like", "many-choices", "python-service"):
        scaffolder.form(template, caller)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            scaffolder.form(template, caller)
            samples.append(time.perf_counter() - started)
        fields = len(scaffolder.form(template, caller).fields)
        lines.append(
            f"| build form: {template} ({fields} fields) | {repeat} | "
            f"{ms(statistics.median(samples))} | {ms(percentile(samples, 0.95))} |"
        )
    form = scaffolder.form("python-service", caller)
    values = {"name": "fresh-name", "description": "Bench."}
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        scaffolder.validate(form, values)
        samples.append(time.perf_counter() - started)
    lines.append(
        f"| validate a submission (catalog + repository checks) | {repeat} | "
        f"{ms(statistics.median(samples))} | {ms(percentile(samples, 0.95))} |"
    )
    return lines


def bench_runs(scaffolder: Scaffolder, runs: int) -> list[str]:
    caller = scaffolder.caller(EMAIL)
    lines = []
    for template in SHIPPED:
        totals: list[float] = []
        steps: dict[str, list[float]] = defaultdict(list)
        for i in range(runs):
            marks: list[tuple[str, float]] = []

            def mark(step: str, label: str, marks: list[tuple[str, float]] = marks) -> None:
                marks.append((step, time.perf_counter()))

            started = time.perf_counter()
            scaffolder.run(
                template,
                {"name": f"{template}-{i}", "description": "Made by the benchmark."},
                caller,
                progress=mark,
            )
            totals.append(time.perf_counter() - started)
            for (step, at), (_, after) in itertools.pairwise(marks):
                steps[step].append(after - at)
        parts = ", ".join(
            f"{step} {statistics.median(values):.2f}"
            for step, values in steps.items()
            if step in {"rendering", "publishing", "registering"}
        )
        lines.append(
            f"| run {template} | {runs} | {statistics.median(totals):.2f} s | "
            f"{max(totals):.2f} s | {parts} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--forms", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenroom-bench-") as folder:
        scaffolder = build(Path(folder))
        print("| what | runs | median | p95 |")
        print("|---|---|---|---|")
        for line in bench_forms(scaffolder, args.forms):
            print(line)
        print()
        print("| what | runs | median | slowest | median seconds per step |")
        print("|---|---|---|---|---|")
        for line in bench_runs(scaffolder, args.runs):
            print(line)


if __name__ == "__main__":
    main()
