# Two jobs: `make book` builds the HTML book, `make test` runs every check.
# Both create .venv and install the project into it on first use. Chapters run on one
# thread in tests: on two shared cores, two BLAS threads spin against each other.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# CATUVAC_DATA, when unset, is ../shared/data: the library's default (catuvac/paths.py).

.PHONY: book test lint unit notebooks html browser jupyterlab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

book: html

html: $(STAMP)
	rm -rf book/_build
	$(BIN)/jupyter-book build . --path-output book -W -n --keep-going
	@echo "open book/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	CATUVAC_PROFILE=smoke OMP_NUM_THREADS=1 $(BIN)/python -m pytest --nbval-lax book/ --ignore=book/_build -p no:cacheprovider

# Every page of the built book in headless Chromium with the network off, at a laptop's and a
# phone's width (tests/browser_check.py).
browser: $(STAMP)
	$(BIN)/python tests/browser_check.py book/_build/html

# Every chapter opened in JupyterLab in headless Chromium: no raw MyST role, no console error,
# the same equation and exercise numbers as the HTML pages (tests/jupyterlab_check.py).
jupyterlab: $(STAMP)
	$(BIN)/python tests/jupyterlab_check.py --html book/_build/html

test: lint unit notebooks html browser jupyterlab

clean:
	rm -rf book/_build .pytest_cache
