# Two commands (see README):
#   make all    set up the environment, fetch + verify every input, build the processed tables
#   make test   set up the environment, fetch + verify every input, run every test
# Offline: set MA_ICE_MIRROR to a copy of the data mirror (CI uses ../shared/data).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: all setup data fetch process codebook downloads notebooks test clean-processed

all: data codebook downloads notebooks

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

fetch: setup
	$(VENV)/bin/ma-ice fetch

process: fetch
	$(VENV)/bin/ma-ice process

data: process

codebook: process
	$(VENV)/bin/ma-ice codebook

downloads: process
	$(VENV)/bin/ma-ice downloads

notebooks: downloads
	$(VENV)/bin/ma-ice notebooks

test: data
	$(VENV)/bin/python -m pytest

clean-processed:
	rm -rf data/processed
