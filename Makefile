# The two commands of the README: `make book` and `make test`. Both are idempotent and work on a
# fresh clone; everything they need comes from PyPI, npm and (as root) Debian's apt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
# Jupyter Book flags: -W turns every Sphinx warning (a failing cell included) into an error.
JB_FLAGS ?= -W -n --keep-going

.DEFAULT_GOAL := help
.PHONY: help book test lint format env env-test envs assets book-system-deps test-system-deps bench clean

help:
	@echo "make book   install everything, execute the notebooks, write _build/html (English)"
	@echo "            and _build/html/ko (Korean, from the English build's executed notebooks)"
	@echo "make test   everything above, then lint and run all tests"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per extra, rebuilt whenever the package metadata or the pins change.
$(VENV)/.book-installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -e '.[book]'
	touch $@

$(VENV)/.test-installed: $(VENV)/.book-installed
	$(PIP) install --quiet -c constraints.txt -e '.[book,test]'
	touch $@

env: $(VENV)/.book-installed
env-test: $(VENV)/.test-installed

# The extra environments of tests/test_colab_env.py (Colab's preinstalled versions,
# constraints/colab.txt) and tests/test_lowest_floors.py (the declared floors,
# constraints/lowest-direct.txt). tools/envs.py caches them outside the clone, keyed on their
# pins, so CI's fresh clone reuses them; building needs the registry, the tests do not.
envs: env-test
	$(BIN)/python tools/envs.py build colab lowest

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

_extra/vendor/.complete: node_modules/.installed tools/vendor_assets.py $(wildcard tools/assets/*)
	$(BIN)/python tools/vendor_assets.py
	touch $@

assets: env _extra/vendor/.complete

# Debian packages: Fashion-MNIST data for the book; Chromium for the browser tests and
# bubblewrap for the grader's sandbox; a Korean font for the browser tests of the Korean edition.
book-system-deps:
	@bash tools/system_deps.sh data

test-system-deps:
	@bash tools/system_deps.sh data chromium bwrap fonts

book: env assets book-system-deps
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	$(BIN)/python tools/i18n.py book $(JB_FLAGS)

test: env-test test-system-deps book envs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: env-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: env-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: env-test assets
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf _build _extra
