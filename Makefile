# `make build`: set up .venv and build the example site into output/.
# `make test`:  set up .venv with the test tools and run the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test lint clean

build: $(VENV)/.folio-installed
	$(BIN)/folio build

test: $(VENV)/.folio-test-installed
	$(BIN)/ruff check generator tests
	$(BIN)/mypy
	$(BIN)/pytest

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
