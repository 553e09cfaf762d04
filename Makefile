# Quick start: `make run` (demo on http://127.0.0.1:5000 with SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
# The demo targets ask for development explicitly: without APP_ENV the app runs (and checks) production.
DEV := APP_ENV=development
# `make run` serves the embedded SQLite database unless RUN_DATABASE_URL says otherwise, on PORT.
RUN_DATABASE_URL ?=
PORT ?= 5000

.PHONY: setup run test lint lock migrate seed worker jobs clean mutation

setup: $(STAMP) node_modules/.installed
	@./scripts/system-packages.sh

# axe-core, injected by the phone and accessibility test into every page (tests/core/test_every_page.py).
node_modules/.installed: package.json package-lock.json
	@./scripts/system-packages.sh
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: setup
	$(DEV) DATABASE_URL=$(RUN_DATABASE_URL) $(FLASK) db upgrade
	$(DEV) DATABASE_URL=$(RUN_DATABASE_URL) $(FLASK) seed-demo
	$(DEV) DATABASE_URL=$(RUN_DATABASE_URL) PORT=$(PORT) ./scripts/serve.sh

# A job worker alone for the demo (production runs several, see README "Jobs"); `make jobs` lists
# failing jobs of the demo.
worker: setup
	$(DEV) DATABASE_URL=$(RUN_DATABASE_URL) $(FLASK) jobs worker

jobs: setup
	$(DEV) DATABASE_URL=$(RUN_DATABASE_URL) $(FLASK) jobs list

test: setup
	$(BIN)/pytest -q -n $(or $(TEST_WORKERS),auto) --durations=15

# Style, then the architecture's contracts (pyproject.toml [tool.importlinter]) and the types of the pure
# cores (pyproject.toml [tool.mypy]).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Recompile the pins (with their sha256 hashes) after editing requirements.in or requirements-dev.in;
# add --upgrade-package NAME to move one package. pip-tools runs from a throwaway venv, not the project's.
lock:
	test -x .venv-lock/bin/pip-compile || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install -q pip-tools)
	for f in requirements requirements-dev; do \
	  .venv-lock/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe \
	    --no-emit-index-url --no-emit-find-links $$f.in -o $$f.txt || exit 1; done

# Mutation testing of the critical modules (scripts/mutation.py, docs/mutation.md): one process, the recorded
# sample of 15 mutants per module, about 25 minutes on a quiet machine. Not part of CI; run it before a release.
mutation: setup
	$(BIN)/python scripts/mutation.py --max-mutants $(or $(MAX_MUTANTS),15) --budget-minutes $(or $(BUDGET_MINUTES),45)

clean:
	rm -rf $(VENV) .venv-lock instance .pytest_cache
