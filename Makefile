# The two Quickstart commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean install image image-check

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/greenroom demo

test: $(STAMP)
	$(BIN)/python tests/setup_system.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The container image (needs Docker); image-check runs the same steps without Docker (CI runs
# them too, in tests/deploy/test_build.py): wheel, fresh virtualenv, demo/worker/serve checks.
image:
	docker build -t greenroom .

image-check: $(STAMP)
	rm -rf build/image-check && $(BIN)/python deploy/build.py all --work build/image-check

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

# Every benchmark in turn (about an hour on 2 cores); numbers go to docs/benchmarks.md.
bench: $(STAMP)
	for script in bench/*_bench.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
