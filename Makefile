# Two commands (see README):
#   make all    set up the environment, then build everything: fetch + verify every input, processed
#               tables, codebook, downloads, every registered notebook (parallel), HTML reports, index
#   make test   set up the environment, fetch + verify + process the data, check the layers contract and
#               ruff, run every test (unit tests,
#               bad-input tests, nbval of the committed notebooks, an end-to-end build of one county)
# Offline: set MA_ICE_MIRROR to a copy of the data mirror (CI uses ../shared/data).
# Every step is cached by content: a rebuild with nothing changed takes about a second.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all setup data test lint force benchmark clean-processed extended

all: setup
	$(VENV)/bin/ma-ice build

# Rebuild everything, ignoring the caches.
force: setup
	$(VENV)/bin/ma-ice build --force

data: setup
	$(VENV)/bin/ma-ice build --no-notebooks

# The extended ICE detainer releases (NPR FY2008-FY2017, Deportation Data Project 2025; about 730 MB from the
# publishers, needs internet): download + verify them (resumable; trust on first use where no sha256 is published,
# recorded in data/extended-releases.lock.yaml), then build their tables (after the core tables: `make data`).
# Never needed by `make all` or `make test`; once done, `make all` also builds build/extended/reports/.
extended: data
	$(VENV)/bin/ma-ice fetch --extended
	$(VENV)/bin/ma-ice process --extended

# One worker more than the cores: many tests wait on a kernel, a subprocess or the browser (measured on the 2-core
# machine: 4 min 01 s with 3 workers against 4 min 19 s with 2).
test: data lint
	$(PY) -m pytest -n $$($(PY) -c 'import os; print((os.cpu_count() or 1) + 1)') --dist loadfile

# The layers contract (import-linter, pyproject.toml) and ruff (lint and format); part of `make test`.
lint: setup
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

benchmark: setup
	$(PY) benchmarks/build_benchmark.py

setup: $(STAMP)

# Reinstall only when the lock or the package metadata changes.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

clean-processed:
	rm -rf data/processed build/cache
