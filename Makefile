# gongkai: `make run` serves the platform with demo data; `make test` runs every check.
# Both bootstrap their own virtual environment in .venv from pyproject.toml, pinned by
# requirements.lock (refresh it with `make lock`).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint pytest lock clean browser

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

test: $(VENV)/.installed browser lint pytest

# Browser tests drive Debian's chromium (a test tool's own browser download does not work
# offline); the annual report's PDF needs CJK fonts (fonts-noto-cjk), its test renders
# pages with pdftoppm (poppler-utils) and proves the boxes check with a Latin-only font
# (fonts-dejavu-core); the letters' and the report's DOCX are opened and converted by
# LibreOffice (libreoffice-writer-nogui). Installed here when missing and we may use apt.
SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-dejavu-core poppler-utils libreoffice-writer-nogui
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing="$$missing fonts-noto-cjk"; \
	[ -d /usr/share/fonts/truetype/dejavu ] || missing="$$missing fonts-dejavu-core"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages for the tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "the tests need Debian packages:$$missing (sudo apt-get install$$missing)" >&2; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .

pytest: $(VENV)/.installed
	$(BIN)/pytest

lock: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip freeze --exclude-editable | grep -iv '^gongkai' > requirements.lock
	@! grep -n ' @ ' requirements.lock || { echo "requirements.lock pins a local file; install it from the registry" >&2; exit 1; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
