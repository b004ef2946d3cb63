# facespasm — two commands matter: `make run` and `make test` (see README.md).
#
# Everything installs into .venv; nothing is installed globally. A marker file per extra keeps
# repeat runs fast and re-installs when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test chromium fhir-package lint typecheck unit bench clean

run: $(VENV)/.installed  ## install and start the web app on http://127.0.0.1:8000/
	$(BIN)/facespasm serve

test: $(VENV)/.dev-installed chromium fhir-package lint typecheck unit  ## install dev tools, then ruff, mypy, pytest

# The browser tests drive Debian's Chromium (never a downloaded browser); installed when missing,
# as root in CI.
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# HL7's R4B core package (CC0; its StructureDefinitions hold FHIR's invariants, which the FHIR
# export is checked against in tests/report/fhir_checks.py), from the npm registry where HL7
# publishes it; Debian's npm is installed when missing.
FHIR_CORE := $(VENV)/fhir/hl7.fhir.r4b.core-4.3.0.tgz
fhir-package: $(FHIR_CORE)

$(FHIR_CORE): | $(VENV)/bin/python
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm)
	mkdir -p $(VENV)/fhir
	cd $(VENV)/fhir && npm pack --silent hl7.fhir.r4b.core@4.3.0 >/dev/null

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# The storage tests run on SQLite and on a real PostgreSQL server, which the script installs
# (Debian's package, when missing), starts on localhost and names by its URL. The tests run on
# every core (pytest-xdist); tests that share one expensive thing (a local Ray) are grouped.
unit: $(VENV)/.dev-installed
	url=$$(scripts/postgres-for-tests) && FACESPASM_TEST_POSTGRES_URL=$$url $(BIN)/pytest -n auto --dist loadgroup

bench: $(VENV)/.dev-installed  ## speed figures for bench/RESULTS.md (never part of `make test`)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/diary.py
	url=$$(scripts/postgres-for-tests) && FACESPASM_TEST_POSTGRES_URL=$$url $(BIN)/python bench/diary_load.py
	$(BIN)/python bench/video_throughput.py
	$(BIN)/python bench/web_load.py
	$(BIN)/python bench/first_paint.py
	$(BIN)/python bench/language.py
	$(BIN)/python bench/uploads.py
	$(BIN)/python -m bench.schema_fuzz

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --editable '.[dev,archive]'
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks test-artifacts
