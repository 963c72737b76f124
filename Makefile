# cikg developer targets. Everything runs in ./.venv (created on demand) with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help venv install install-dev system-deps run demo test test-all check lint typecheck gen gen-check bench clean

help:
	@echo "make demo       install and run the service with the demo catalogue (the main job)"
	@echo "make run        install and serve the data dir's store"
	@echo "make check      install everything (system packages too) and run every test (what CI runs)"
	@echo "make test       fast tests only (no slow, no external servers)"
	@echo "make lint       ruff + mypy"
	@echo "make gen        regenerate every artifact from schemas/ and ontology/"
	@echo "make bench      run the benchmarks in bench/"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

venv: $(PY)

install: $(PY)
	$(PIP) install -e .

install-dev: $(PY)
	$(PIP) install -e '.[dev]'

system-deps:
	bash .ci/system-deps.sh

run: install
	$(VENV)/bin/cikg serve --host $(HOST) --port $(PORT)

demo: install
	$(VENV)/bin/cikg demo --host $(HOST) --port $(PORT)

test: install-dev
	$(PY) -m pytest -m "not slow and not integration"

test-all: install-dev
	$(PY) -m pytest

check: system-deps install-dev
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check server tests bench
	$(VENV)/bin/ruff format --check server tests bench
	$(VENV)/bin/mypy

typecheck: install-dev
	$(VENV)/bin/mypy

gen: install-dev
	$(VENV)/bin/cikg gen

gen-check: install-dev
	$(VENV)/bin/cikg gen --check

bench: install-dev
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist server/*.egg-info
