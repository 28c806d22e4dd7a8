# policydiff: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint format typecheck clean install mutation

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/policydiff demo --corpus corpus --out reports

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check analyzer tests bench
	$(BIN)/ruff format --check analyzer tests bench

format: $(STAMP)
	$(BIN)/ruff format analyzer tests bench
	$(BIN)/ruff check --fix analyzer tests bench

# make mutation MUTANTS='analyzer.classify* analyzer.check*' JOBS=1  (a subset, one worker)
JOBS ?= 1
MUTANTS ?=
mutation: $(STAMP)
	rm -rf mutants
	nice -n 10 $(BIN)/mutmut run --max-children $(JOBS) $(MUTANTS) || true
	$(BIN)/python -m bench.mutation_score

typecheck: $(STAMP)
	$(BIN)/mypy analyzer

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info mutants
