# Two entry points (README): `make run` sets up and launches the IDE on the example workspace;
# `make test` sets up and runs the test suite. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint setup bench render clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@scripts/ensure-qt-libs.sh gui
	$(BIN)/axiom-ide gui

# Lint, types and import contracts first: seconds, where the suite takes minutes (config: pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/mypy
	PYTHONPATH=. $(BIN)/lint-imports  # this checkout, whichever one the venv was installed from

test: lint
	@scripts/ensure-qt-libs.sh
	@scripts/ensure-test-tools.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	for b in bench/*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info
