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

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy src/officium

## A quick, small-size pass of every benchmark (CI runs this so they stay runnable).
bench-quick: $(VENV)/.installed-dev
	@set -e; for b in bench/[!_]*.py; do echo "== $$b --quick"; $(BIN)/python $$b --quick; done

bench: $(VENV)/.installed-dev
	@set -e; for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) var
