# 履责助手 — the two newcomer commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo demo-web test lint typecheck imports pytest bench bench-serve run clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "需要 Python ≥ 3.11：请安装后用 make PYTHON=python3.11 …"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## demo: the bot in local chat mode with the sample district (SQLite, everyone pre-bound)
demo: $(STAMP)
	$(BIN)/python -m bot chat

## demo-web: the read-only web view on the demo's database (send /web in `make demo` for a link)
demo-web: $(STAMP)
	$(BIN)/python -m bot web --db .demo/demo.sqlite3

## test: lint, types, import layers, then the whole suite (SQLite and PostgreSQL)
test: lint typecheck imports pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# The suite waits on subprocesses, PostgreSQL and the fake Bot API more than on the CPU:
# four workers (pytest-xdist), each test on its own database.
PYTEST_WORKERS ?= 4
pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS)

bench: $(STAMP)
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_wave.py
	$(BIN)/python bench/bench_wave.py --outage 10

## bench-serve: 1–3 webhook workers on PostgreSQL (and Redis) beside an echo bot (bench/bench_serve.py)
bench-serve: $(STAMP)
	$(BIN)/python bench/bench_serve.py

run: $(STAMP)
	$(BIN)/python -m bot run

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
