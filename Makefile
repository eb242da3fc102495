# The two commands of the README: `make run` (demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench-quick bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

## Install, migrate, seed the demo organization, print the logins, serve on 127.0.0.1:8000 with the worker.
run: $(VENV)/.installed
	$(BIN)/officium demo

## Install the development dependencies and run the whole test suite (DATABASE_URL picks the database).
test: $(VENV)/.installed-dev
	@$(BIN)/python -m pytest -q -ra; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; \
	exit $$status

## ruff, then the import layers of pyproject.toml (run from src/, where `officium` is importable).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy src/officium
	cd src && $(abspath $(BIN))/lint-imports --no-cache ../pyproject.toml

## A quick, small-size pass of every benchmark (CI runs this so they stay runnable). Each must
## exit 0 and end with its `RESULT <name> k=v ...` line (bench/_harness.py result()).
bench-quick: $(VENV)/.installed-dev
	@set -e; out=$$(mktemp); trap 'rm -f "$$out" "$$out.rc"' EXIT; \
	for b in bench/[!_]*.py; do \
	  echo "== $$b --quick"; \
	  { rc=0; PYTHONUNBUFFERED=1 $(BIN)/python $$b --quick || rc=$$?; echo $$rc > "$$out.rc"; } | tee "$$out"; \
	  rc=$$(cat "$$out.rc"); \
	  if [ "$$rc" -ne 0 ]; then echo "bench-quick: $$b exited with status $$rc"; exit "$$rc"; fi; \
	  if ! tail -n 1 "$$out" | grep -q '^RESULT '; then \
	    echo "bench-quick: $$b did not end with a 'RESULT <name> k=v ...' line (see bench/_harness.py result())"; \
	    exit 1; \
	  fi; \
	done

bench: $(VENV)/.installed-dev
	@set -e; for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) var
