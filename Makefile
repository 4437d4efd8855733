# make run: set everything up and start the assistant.  make test: set everything up and run the tests.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test setup model browser publish db kb-check eval bench lint lock clean

run: setup model db
	@echo
	@echo "  Chat widget:   http://localhost:$${CONSOLE_PORT:-8000}/   (English: /en)"
	@echo "  Staff console: http://localhost:$${CONSOLE_PORT:-8000}/tickets"
	@echo "  Rasa server:   http://localhost:$${RASA_PORT:-5005}/   (answers after about a minute of loading)"
	@echo "  Stop with Ctrl-C."
	@echo
	$(BIN)/honcho start -f Procfile

test: setup model browser
	$(BIN)/pytest

# The browser tests drive Debian's Chromium with Playwright (no browser download): install it when missing.
browser:
	@[ -x /usr/bin/chromium ] && exit 0; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; else sudo=none; fi; \
	  if [ "$$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	    $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	      && [ -x /usr/bin/chromium ] && exit 0; \
	  fi; \
	  echo; \
	  echo "  Chromium is missing and could not be installed here. The browser tests (tests/browser) need"; \
	  echo "  /usr/bin/chromium: install Debian's 'chromium' package as root (apt-get install chromium), then"; \
	  echo "  run 'make test' again. Without it those tests are skipped (they fail when HELPDESK_REQUIRE_BROWSER=1)."; \
	  echo; \
	  [ "$${HELPDESK_REQUIRE_BROWSER:-}" != 1 ]

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@python=$$(scripts/find-python310) || exit 1; \
	  [ -x $(PY) ] || { echo "Creating $(VENV) with $$python"; $$python -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade "pip<24.1" "setuptools<71"
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

model: setup
	$(BIN)/helpdesk train

db: setup
	$(BIN)/helpdesk db upgrade

# Retrain after editing example questions, and switch the running assistant to the new model.
publish: setup
	$(BIN)/helpdesk publish

eval: model
	$(BIN)/helpdesk eval

# Speed: the model in-process, the full stack under load, Rasa's starter bot; writes docs/benchmark.json.
bench: model
	$(PY) scripts/bench.py

kb-check: setup
	$(BIN)/helpdesk kb check

lint: setup
	$(BIN)/ruff check .

# Refresh the pins after changing dependencies in pyproject.toml.
lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^partner-helpdesk' > requirements.lock

clean:
	rm -rf build models var .pytest_cache
