# kik-graph – everything a newcomer or CI needs. Run `make help` for the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export KIK_GRAPH_STORE ?= $(CURDIR)/var/store
PORT ?= 8501
USERS ?= 50
DURATION ?= 60
# share of anonymous directory visitors and logged-in office users (office pages: a temporary viewer account)
MIX ?= directory=0.8,office=0.2
# pause between two actions of a virtual user (s): people read a result list before the next search;
# THINK=0.2,1 is the stress variant (see README, section Robustheit und Lasttest)
THINK ?= 3,10

.PHONY: help install system-deps build run test lint bench loadtest docs clean

help:
	@echo "make run    – virtualenv anlegen, installieren, Speicher aus graph_data/ bauen, App starten (Port $(PORT))"
	@echo "make test   – alles für die Tests installieren (auch Debian-Pakete) und alle Tests ausführen"
	@echo "make bench  – Benchmarks ausführen (Tabelle + var/bench/results.json)"
	@echo "make loadtest – Lasttest: App auf Loopback starten, USERS=$(USERS) Nutzer*innen für DURATION=$(DURATION) s, Denkpause THINK=$(THINK) s, Mischung MIX=$(MIX)"
	@echo "make docs   – Vokabular-Dokumentation nach docs/vocabulary/index.html erzeugen"
	@echo "make lint   – ruff"

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test,docs]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian packages needed by the end-to-end and integration tests (Chromium, Virtuoso, fonts, …) and the
# OpenID Connect provider of the OIDC login test (npm, tests/idp).
system-deps:
	bash scripts/install-system-deps.sh
	bash scripts/install-test-idp.sh

build: install
	$(VENV)/bin/kik-graph build

run: install
	$(VENV)/bin/kik-graph stats
	$(VENV)/bin/streamlit run app.py --server.headless true --server.port $(PORT) --browser.gatherUsageStats false

test: install system-deps
	$(VENV)/bin/ruff check kik_graph app.py tests benchmarks
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check kik_graph app.py tests benchmarks

bench: install system-deps
	$(PY) -m benchmarks

# Starts the app on a free loopback port with a temporary store, runs USERS virtual users speaking Streamlit's
# websocket protocol (office users log in with a temporary viewer account), prints p50/p95 per action and kind
# (directory and office pages) and errors, writes var/loadtest/results.json.
loadtest: install
	mkdir -p var/loadtest
	$(PY) -m kik_graph.loadtest --start-app --users $(USERS) --duration $(DURATION) --mix $(MIX) --think $(THINK) \
	    --target-p95-ms 500 --json var/loadtest/results.json

docs: install
	$(PY) -m kik_graph.vocabdoc docs/vocabulary/index.html

clean:
	rm -rf var .pytest_cache
