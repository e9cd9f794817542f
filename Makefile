# Two jobs a new user runs on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench schemas clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install when any distribution's metadata changes.
$(STAMP): $(BIN)/python pyproject.toml adapters/sage/pyproject.toml adapters/sage_za/pyproject.toml tests/example_provider/pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev,redis,encryption,postgres,celery,server]" -e adapters/sage -e adapters/sage_za -e tests/example_provider
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/unified-accounting demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict unified_accounting adapters/sage/unified_accounting_sage adapters/sage_za/unified_accounting_sage_za

pytest: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

schemas: $(STAMP)
	$(BIN)/python -m unified_accounting.jsonschema_gen --write unified_accounting/json_schemas

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
