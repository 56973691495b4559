# Techno Valley platform. Two commands for a fresh Debian machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-sqlite test-postgres bench fuzz load load-short install messages lint clean

$(STAMP): pyproject.toml
	bash scripts/system-deps.sh base
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	cd src/techvalley && ../../$(BIN)/django-admin compilemessages -v 0

# make demo [PORT=8000] [HOST=127.0.0.1]
demo: install
	$(BIN)/techvalley demo --host $(or $(HOST),127.0.0.1) --port $(or $(PORT),8000)

test: install
	bash scripts/system-deps.sh test
	bash scripts/test.sh

bench: install
	bash scripts/system-deps.sh test
	bash scripts/bench.sh

fuzz: install
	bash scripts/fuzz.sh

# 50 simulated users of mixed roles for 5 minutes against gunicorn on PostgreSQL (loopback only).
load: install
	bash scripts/system-deps.sh test
	bash scripts/load.sh

load-short: install
	bash scripts/system-deps.sh test
	bash scripts/load.sh --short

lint: install
	$(BIN)/ruff check src tests benchmarks scripts

clean:
	rm -rf $(VENV) var
