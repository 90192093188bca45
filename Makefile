# The single entry point for humans and CI. `make demo` and `make test` set up what they
# need (virtual environment from the lock file, Delta jars through Maven, Haven's JVM
# functions compiled with javac, the portal's JavaScript from npm; for tests also Debian's
# chromium) and then run.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
JARS := .cache/jars

.PHONY: help demo test test-fast lint jars java venv vendor browser lock bench clean stack stack-down

help:
	@echo "make demo   - set up, then run the whole pipeline on synthetic data (haven demo)"
	@echo "make test   - set up, then run the linters and every test"
	@echo "make bench  - run the benchmarks"
	@echo "make stack  - start the production shape on this machine (PostgreSQL, Spark, Airflow's scheduler, the portal)"
	@echo "make stack-down - stop it (haven stack status lists its services)"
	@echo "make browser - install what browser tests need (npm packages, Debian's chromium)"
	@echo "make lock   - recompute requirements.lock from pyproject.toml"

demo: venv jars vendor
	$(BIN)/haven demo

# Two workers, a test file each at a time: the suite mostly waits on the JVM, subprocesses and
# files, so two share the machine's cores well. tests/conftest.py orders the slow files first;
# --no-loadscope-reorder keeps that order (xdist would otherwise start the files with the most
# tests first, leaving the 20-minute end-to-end file to run alone at the end).
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

test: venv jars browser lint
	$(PYTEST)

test-fast: venv jars browser
	$(PYTEST) -m "not slow"

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: venv jars
	$(BIN)/haven bench

# The production shape on loopback: PostgreSQL, the Spark cluster, Airflow's scheduler, DAG
# processor, triggerer and API server (LocalExecutor), the portal. State under $HAVEN_HOME/stack.
stack: venv jars vendor
	$(BIN)/haven stack up
	@$(BIN)/haven stack status

stack-down:
	$(BIN)/haven stack down

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml infra/bootstrap.sh
	bash infra/bootstrap.sh

java:
	@bash infra/check_java.sh

# htmx, Vega and the provinces' boundaries into portal/static/vendor/ (what the portal serves); no browser.
vendor:
	@bash infra/browser/setup.sh --vendor-only

# The same, plus axe-core and Debian's chromium for tests/browser (installed with apt-get
# as root or through sudo when missing).
browser:
	@bash infra/browser/setup.sh

jars: java venv
	$(BIN)/python infra/resolve_jars.py --out $(JARS)
	$(BIN)/python infra/build_udf.py --out $(JARS)
	$(BIN)/python infra/class_archive.py --out $(JARS)

lock: venv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --universal \
		--generate-hashes --quiet -o requirements.lock

clean:
	rm -rf var .cache .pytest_cache .mypy_cache .ruff_cache
