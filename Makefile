# povexit — see README.md. Every target sets itself up (scripts/setup.sh) on a fresh machine.
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo-out
PYTEST_ARGS ?=

.PHONY: setup demo test bench lint format clean

setup:
	@scripts/setup.sh

demo: setup
	$(BIN)/povexit demo --out $(DEMO_OUT)

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The lint rules are enforced (in `make test` too); the layout is hand-kept (tables of fields and rules
# read better aligned than reflowed), so `ruff format` is not applied — see docs/decisions.md.
lint: setup
	$(BIN)/ruff check src tests bench

format: setup
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache build *.egg-info src/*.egg-info
