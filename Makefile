# make run: set everything up and start the assistant.  make test: set everything up and run the tests.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test setup model browser nginx publish db kb-check eval bench lint lock clean

run: setup model db
	@echo
	@echo "  Chat widget:   http://localhost:$${CONSOLE_PORT:-8000}/   (English: /en)"
	@echo "  Staff console: http://localhost:$${CONSOLE_PORT:-8000}/tickets"
	@echo "  Rasa server:   http://localhost:$${RASA_PORT:-5005}/   (answers about 10 seconds after it starts)"
	@echo "  E-mails:       caught on 127.0.0.1:$${MAIL_CATCHER_PORT:-8025}, read them at http://localhost:$${CONSOLE_PORT:-8000}/mail (set SMTP_URL to send)"
	@echo "  Answers:       partners' e-mail answers are taken on 127.0.0.1:$${MAIL_INBOUND_PORT:-8026} (helpdesk mail receive)"
	@echo "  Stop with Ctrl-C."
	@echo
	$(BIN)/honcho start -f Procfile

# Scale-out profile on one machine (docs/scale-out.md): Rasa servers on ports 5100..., action servers on 5200...,
# the console on 5300, behind nginx with deploy/nginx.conf. The stores come from .env (PostgreSQL, Redis).
RASA_SERVERS ?= 2
ACTION_SERVERS ?= 2
.PHONY: scaleout
scaleout: setup model db
	$(BIN)/honcho start -f deploy/Procfile.scaleout -d . -p 5100 -c rasa=$(RASA_SERVERS),actions=$(ACTION_SERVERS)

test: setup model browser nginx
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
	  echo "  Chromium is missing and could not be installed here. The browser tests (tests/system/browser) need"; \
	  echo "  /usr/bin/chromium: install Debian's 'chromium' package as root (apt-get install chromium), then"; \
	  echo "  run 'make test' again. Without it those tests are skipped (they fail when HELPDESK_REQUIRE_BROWSER=1)."; \
	  echo; \
	  [ "$${HELPDESK_REQUIRE_BROWSER:-}" != 1 ]

# The scale-out tests run deploy/nginx.conf in Debian's nginx (not started as a service): install it when missing.
nginx:
	@{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } && exit 0; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; else sudo=none; fi; \
	  if [ "$$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's nginx for the scale-out tests (apt-get; the service is not started)"; \
	    policy=/usr/sbin/policy-rc.d; made=; [ -e $$policy ] || { printf '#!/bin/sh\nexit 101\n' | $$sudo tee $$policy >/dev/null && $$sudo chmod +x $$policy && made=1; }; \
	    $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	    [ -z "$$made" ] || $$sudo rm -f $$policy; \
	    { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } && exit 0; \
	  fi; \
	  echo; \
	  echo "  nginx is missing and could not be installed here. The scale-out tests that run deploy/nginx.conf need"; \
	  echo "  it: install Debian's 'nginx' package as root, then run 'make test' again. Without it those tests are"; \
	  echo "  skipped (they fail when HELPDESK_REQUIRE_NGINX=1)."; \
	  echo; \
	  [ "$${HELPDESK_REQUIRE_NGINX:-}" != 1 ]

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

# The code as the project keeps it: ruff's checks and its formatting (run by .ci/run before the tests).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Known vulnerabilities of the pins in requirements.lock: each fixed, or explained in audit-ignore.toml.
# pip-audit has a venv of its own: it needs packaging>=23, Rasa 3.6 pins packaging<21.
AUDIT_VENV := .venv-audit
PIP_AUDIT_VERSION := 2.10.1
.PHONY: audit
audit: $(AUDIT_VENV)/.pip-audit-$(PIP_AUDIT_VERSION)
	$(AUDIT_VENV)/bin/python scripts/audit_dependencies.py

$(AUDIT_VENV)/.pip-audit-$(PIP_AUDIT_VERSION):
	@python=$$(scripts/find-python310) || exit 1; \
	  [ -x $(AUDIT_VENV)/bin/python ] || { echo "Creating $(AUDIT_VENV) with $$python"; $$python -m venv $(AUDIT_VENV); }
	$(AUDIT_VENV)/bin/python -m pip install --quiet "pip-audit==$(PIP_AUDIT_VERSION)"
	touch $@

# Refresh the pins after changing dependencies in pyproject.toml.
lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^partner-helpdesk' > requirements.lock

clean:
	rm -rf build models var .pytest_cache
