# 42Partner — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000

# `make test` (and bench) use the real services; override with the environment.
TEST_DATABASE_URL := $(or $(DATABASE_URL),mysql://root@127.0.0.1:3306/partner42)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
PYTEST_WORKERS ?= auto

.PHONY: help run test lint format bench image load screenshots clean

help:
	@echo "make run    serve the site at http://127.0.0.1:$(PORT) (embedded SQLite, demo login)"
	@echo "make test   run the whole suite on MariaDB and Redis"
	@echo "make lint   ruff check and format check"
	@echo "make bench  benchmarks (see docs/performance.md)"
	@echo "make image  build the production image with buildah, no Docker engine (docs/operations.md)"
	@echo "make load   300 students for 120 s on the image's roles behind nginx (docs/performance.md)"
	@echo "make screenshots  refresh docs/screenshots/ (phone and desktop, Korean and English)"

$(VENV)/bin/activate:
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv: on Debian run 'apt-get install python3-venv'."; exit 1; }
	@$(PIP) install -q --upgrade pip

# Installs are stamped by the requirement files' content, so a second run installs nothing.
$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-mysql.txt requirements-dev.txt | $(VENV)/bin/activate
	@bash scripts/ensure-build-deps.sh
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

run: $(VENV)/.run-installed
	@if [[ "$${DATABASE_URL:-}" == mysql* ]]; then bash scripts/ensure-build-deps.sh mysql && $(PIP) install -q -r requirements-mysql.txt; fi
	@export DEBUG=$${DEBUG:-true} DEMO_LOGIN=$${DEMO_LOGIN:-true} CELERY_TASK_ALWAYS_EAGER=$${CELERY_TASK_ALWAYS_EAGER:-true} \
	  REVIEW_DELAY_MINUTES=$${REVIEW_DELAY_MINUTES:-0}; \
	  $(PY) manage.py migrate --noinput && \
	  $(PY) manage.py load_demo && \
	  echo "42Partner: http://127.0.0.1:$(PORT)" && \
	  exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev-installed
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) bash scripts/ensure-test-services.sh
	@bash scripts/ensure-browser.sh
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -q $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev-installed
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) bash scripts/ensure-test-services.sh
	LOG_LEVEL=$${LOG_LEVEL:-WARNING} DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m bench $(BENCH)

# The production image without a Docker engine: buildah (vfs, chroot) on a debootstrap stand-in
# for the Python base image (scripts/build-image.sh). Needs root.
image:
	bash scripts/build-image.sh

# Locust against the image's roles behind the shipped nginx (bench/load/); not part of `make test`.
# LOAD_USERS, LOAD_SECONDS, LOAD_SPAWN_RATE override 300, 120 and 30.
LOAD_VENV := .artifacts/load-venv

$(LOAD_VENV)/.installed: bench/load/requirements.txt
	@$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install -q -r bench/load/requirements.txt
	@touch $@

load: $(VENV)/.dev-installed $(LOAD_VENV)/.installed
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) bash scripts/ensure-test-services.sh
	LOCUST=$(LOAD_VENV)/bin/locust $(PY) -m bench.load

# The embedded default with demo data on a free port, photographed by Debian's chromium.
screenshots: $(VENV)/.dev-installed
	@bash scripts/ensure-browser.sh
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .artifacts
