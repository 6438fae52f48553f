# reelgraph: `make demo` renders a demo video, `make test` runs the tests (both install first).
# `make bench` prints one table of every benchmark (BENCH_ARGS="--quick" for small sizes).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install system-deps demo test test-fast lint bench serve worker clean

install: system-deps $(STAMP)

system-deps:
	@bash .ci/system-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@echo "preparing fonts (once per machine)"
	@$(BIN)/python -c 'from reelgraph.workers.engine.fonts import fonts_dir; fonts_dir()'
	@touch $(STAMP)

demo: install
	@mkdir -p out
	$(BIN)/reelgraph create --demo -o out/demo.mp4

test: install
	@bash .ci/system-deps --test
	@bash .ci/postgres
	@BIN=$(BIN) bash .ci/lint-imports
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not integration"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@BIN=$(BIN) bash .ci/lint-imports
	$(BIN)/mypy

bench: install
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

serve: install
	$(BIN)/reelgraph serve

worker: install
	$(BIN)/reelgraph worker --queues graph,gpu,cpu

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
