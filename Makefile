# `make build`: set up .venv and build the example site into output/.
# `make test`:  set up .venv with the test tools and run the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test lint browser clean

build: $(VENV)/.folio-installed
	$(BIN)/folio build

test: $(VENV)/.folio-test-installed browser
	$(BIN)/ruff check generator tests
	$(BIN)/mypy
	$(BIN)/pytest

# The search page tests drive Debian's chromium through Playwright (never
# Playwright's own browser download); install it where it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 \
		|| { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

lint: $(VENV)/.folio-test-installed
	$(BIN)/ruff check generator tests
	$(BIN)/mypy

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Folio needs Python 3.11 or newer; set PYTHON=python3.x"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.folio-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.folio-test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.folio-installed

clean:
	rm -rf output .output.* $(VENV) .pytest_cache .mypy_cache .ruff_cache
