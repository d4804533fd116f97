# gongkai: `make run` serves the platform with demo data; `make test` runs every check.
# Both bootstrap their own virtual environment in .venv from pyproject.toml, pinned by
# requirements.lock (refresh it with `make lock`).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint pytest lock clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "gongkai needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/gongkai demo
	$(BIN)/gongkai serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed lint pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .

pytest: $(VENV)/.installed
	$(BIN)/pytest

lock: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip freeze --exclude-editable | grep -iv '^gongkai' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
