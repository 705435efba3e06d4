# Vespid: `make run` starts a single-host Vespid with the sample application;
# `make test` runs lint and the test suite. Both install what is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= $(HOME)/.vespid
APP ?= apppackages/sample
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run stop test lint unit e2e deps system-deps perf clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

system-deps:
	@if [ ! -f /usr/share/java/zookeeper.jar ] || ! command -v java >/dev/null; then \
	  echo "Installing ZooKeeper and Java from Debian packages"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq zookeeper default-jre-headless; \
	fi

deps: $(BIN)/.installed system-deps

run: deps
	$(BIN)/vespid up $(APP) --home $(HOME_DIR)
	$(BIN)/vespid feed $(APP)/feed.jsonl
	$(BIN)/vespid query 'select title, author, year from sources * where title contains "love"' ranking=bm25 hits=3
	@echo
	@echo "Vespid is running (home $(HOME_DIR)):"
	@echo "  config server   http://localhost:19071/"
	@echo "  query + feed    http://localhost:8080/search/  http://localhost:8080/document/v1/"
	@echo "  stop it with    make stop"

stop:
	@if [ -x $(BIN)/vespid ]; then $(BIN)/vespid down --home $(HOME_DIR); fi

lint: $(BIN)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: deps lint
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-check} $(BIN)/pytest -q -p no:cacheprovider --doctest-modules vespid configserver container content tests

unit: deps
	scripts/test

e2e: deps
	scripts/e2e

perf: deps
	$(BIN)/python -m tests.perf

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis
