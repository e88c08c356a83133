# `make build`: set up .venv and build the example site into output/.
# `make test`:  set up .venv with the test tools and run the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Stamp of the npm test tools (package.json: the Nu HTML Checker and axe-core).
NPM_TOOLS := node_modules/.folio-npm-installed

.PHONY: build test lint browser publish-tools bench faults docs mutation catalogs clean

build: $(VENV)/.folio-installed
	$(BIN)/folio build

test: $(VENV)/.folio-test-installed browser publish-tools $(NPM_TOOLS)
	$(BIN)/ruff check generator tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

# The browser tests drive Debian's chromium through Playwright (never Playwright's
# own browser download), the HTML checks run the Nu HTML Checker on the machine's
# Java, and npm installs both checkers; install the Debian packages of whichever
# of those is missing.
browser:
	@missing=""; \
	for pair in chromium:chromium java:default-jre-headless npm:npm; do \
		command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	[ -z "$$missing" ] || { apt-get update \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; }

# vnu-jar and axe-core, exactly as package-lock.json pins them; reinstalled only when
# node_modules/ is missing or the lock file is newer. --ignore-scripts: vnu-jar's
# postinstall would download a Java runtime from GitHub; the machine's Java is used.
$(NPM_TOOLS): package-lock.json | browser
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# The publish tests run a throwaway sshd, rsync over ssh and git; install the Debian
# packages of whichever of those is missing (sshd lives in /usr/sbin).
publish-tools:
	@missing=""; \
	for pair in /usr/sbin/sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client \
		rsync:rsync git:git; do \
		command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	[ -z "$$missing" ] || { apt-get update \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; }

lint: $(VENV)/.folio-test-installed
	$(BIN)/ruff check generator tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# `make bench`: build a generated corpus with Folio, Hugo and Pelican (bench/run.py);
# `make bench BENCH_ARGS=--quick` for a 1,000-article smoke run. Not part of `make test`.
bench: $(VENV)/.folio-bench-installed browser
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# `make faults`: every failure point of issue 25's fault-injection sweep (tests/faults/:
# each file operation's N-th call failing, file size limits, immutable folders, in every
# scenario with --jobs 1 and 2); long, as root. `make test` runs a slice (test_faults.py).
# `make faults FAULTS_ARGS='--stride 10'` tries every tenth point.
faults: $(VENV)/.folio-test-installed
	$(BIN)/python tests/faults/sweep.py $(FAULTS_ARGS)

# `make docs`: regenerate docs/configuration.md from the Config schema
# (generator/config_doc.py); tests/test_docs.py fails when it is out of date.
# `make catalogs`: the built-in theme's words extracted again (locale/messages.pot) and
# merged into each language's catalog; new words then await a translator there.
catalogs: $(VENV)/.folio-installed
	cd themes/default && ../../$(BIN)/pybabel extract -F babel.cfg -k N_ -o locale/messages.pot \
		--no-location --omit-header templates ../../generator/site/embeds.py
	$(BIN)/pybabel update --no-fuzzy-matching -i themes/default/locale/messages.pot \
		-d themes/default/locale

docs: $(VENV)/.folio-installed
	$(BIN)/python -m generator.config_doc > docs/configuration.md.new
	mv docs/configuration.md.new docs/configuration.md

# `make mutation`: mutmut over the modules [tool.mutmut] in pyproject.toml lists, each
# mutant run against the focused tests that reach it; prints the survivors and the score
# (docs/mutation.md explains them). About 15 minutes on 2 cores; not part of `make test`.
# Results are kept in mutants/: a rerun tests only the functions that changed.
mutation: $(VENV)/.folio-test-installed
	$(BIN)/mutmut run --max-children 2
	@$(BIN)/mutmut results
	@$(BIN)/mutmut results --all true | awk '$$NF == "killed" || $$NF == "timeout" { k++ } \
		{ n++ } END { printf "mutation score: %d of %d killed (%.1f %%)\n", k, n, 100 * k / n }'

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

$(VENV)/.folio-bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.folio-installed

clean:
	rm -rf output .output.* $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules test-artifacts
