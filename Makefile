# One entry point for newcomers and CI: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint docs bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mlcc train configs/quickstart.yaml

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

# The crash course's California CSVs for tests come from ../shared/datasets when present
# (never committed); tests that need them skip without a mirror.
SHARED_DATASETS := $(wildcard $(abspath ../shared/datasets))
export MLCC_DATASET_MIRROR ?= $(SHARED_DATASETS)

# -n auto: one pytest worker per CPU (pytest-xdist); PYTEST_ARGS adds options, e.g. -x.
PYTEST_ARGS ?=
test: lint
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# Property-based fuzzing with many more (random) examples than `make test` runs; set
# FUZZ_EXAMPLES to go further.
FUZZ_EXAMPLES ?= 300
fuzz: $(STAMP)
	MLCC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) MLCC_FUZZ_RANDOM=1 $(BIN)/python -m pytest tests/test_fuzz.py

# Rewrite the README's config reference from the schema (everything below the marker).
docs: $(STAMP)
	$(BIN)/python -c "import pathlib; from mlcc_cli.config.reference import config_reference_markdown; \
	readme = pathlib.Path('README.md'); marker = '<!-- config-reference: generated below this line -->'; \
	head = readme.read_text().split(marker)[0]; \
	readme.write_text(head + marker + '\n\n' + config_reference_markdown())"

# Time mlcc's engine and CLI against numpy and scikit-learn (about a minute at full size);
# e.g. `make bench BENCH_ARGS=--quick`. Results of a reference run: benchmarks/RESULTS.md.
BENCH_ARGS ?=

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) runs build dist .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Grid searches on a shipped config (`mlcc sweep`). Each target is its sweep.csv, so make
# re-runs a sweep only when the config or the install changed; --skip-existing then retrains
# only the points whose resolved config differs. A failed sweep deletes its sweep.csv so the
# next `make` tries again.
SWEEP_RUNS ?= runs

.PHONY: sweep-learning-rate sweep-regularization

sweep-learning-rate: $(SWEEP_RUNS)/quickstart-learning-rate/sweep.csv
sweep-regularization: $(SWEEP_RUNS)/quickstart-regularization/sweep.csv

$(SWEEP_RUNS)/quickstart-learning-rate/sweep.csv: configs/quickstart.yaml $(STAMP)
	$(BIN)/mlcc sweep $< --grid optimizer.learning_rate=0.001,0.01,0.1,1 --seeds 3 \
		--name quickstart-learning-rate --runs-dir $(SWEEP_RUNS) --skip-existing \
		|| { rm -f $@; exit 1; }

$(SWEEP_RUNS)/quickstart-regularization/sweep.csv: configs/quickstart.yaml $(STAMP)
	$(BIN)/mlcc sweep $< --grid model.l2=0,0.001,0.01,0.1 --seeds 3 \
		--name quickstart-regularization --runs-dir $(SWEEP_RUNS) --skip-existing \
		|| { rm -f $@; exit 1; }
