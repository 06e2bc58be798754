# opencertif — every target installs .venv first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OC := $(BIN)/opencertif
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
ifdef DATABASE_URL
export DATABASE_URL
endif

.PHONY: install run test bench quality fix worker resetdb clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Links in the mails the worker sends point at this server (the web pages' mails use the
# address each request was served at).
run: export SITE_URL = http://$(HOST):$(PORT)
run: install
	$(OC) migrate --noinput
	$(OC) demo
	@echo "→ http://$(HOST):$(PORT)/  (Ctrl-C arrête le site et le worker)"
	@$(OC) worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(OC) runserver $(HOST):$(PORT)

worker: install
	$(OC) worker

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/registry_search.py
	$(BIN)/python bench/deposit_ingest.py
	$(BIN)/python bench/spreadsheet_memory.py
	$(BIN)/python bench/api_passages.py
	$(BIN)/python bench/national_statistics.py
	$(BIN)/python bench/passport_documents.py
	$(BIN)/python -P bench/passport_page.py

quality: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint opencertif --lint
	$(BIN)/djlint opencertif --check
	DJANGO_SETTINGS_MODULE=config.settings.test $(OC) makemigrations --check --dry-run

fix: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint opencertif --reformat --quiet || true

resetdb: install
	rm -f var/opencertif.sqlite3 var/opencertif.sqlite3-wal var/opencertif.sqlite3-shm
	$(OC) migrate --noinput
	$(OC) demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
