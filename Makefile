# Two commands matter: `make run` and `make test` (the full gate). Everything else supports them;
# `make check` is the fast inner loop (ruff and the tests not marked slow: tests/conftest.py says which).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint bench sample clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/journeylens demo --workspace workspace

test: $(STAMP)
	$(BIN)/ruff check app notebooks tests sample_data bench
	$(BIN)/pytest

check: $(STAMP)
	$(BIN)/ruff check app notebooks tests sample_data bench
	$(BIN)/pytest -m "not slow" -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check app notebooks tests sample_data bench

bench: $(STAMP)
	$(BIN)/python -m bench.bench_ingest
	$(BIN)/python -m bench.bench_rank
	$(BIN)/python -m bench.bench_stored
	$(BIN)/python -m bench.bench_ai
	$(BIN)/python -m bench.bench_app
	$(BIN)/python -m bench.bench_spark
	$(BIN)/python -m bench.bench_spark_rank
	$(BIN)/python -m bench.bench_serve

sample: $(STAMP)
	$(BIN)/python -m sample_data.generate

# The README's screenshots (docs/img), made again over the sample workspace in Debian's Chromium.
.PHONY: screenshots
screenshots: $(STAMP)
	$(BIN)/python -m bench.readme_screenshots --out docs/img

clean:
	rm -rf $(VENV) workspace .pytest_cache
