# Two commands do all set-up on a fresh machine with Python 3.11+:
#   make run    the app on the embedded demo database (seeded once, under var/)
#   make test   the whole suite (PostgreSQL tests need the server on 127.0.0.1:5432)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DEMO_DB := var/zivo-demo.sqlite3

.PHONY: run test demo-db bench bench-large clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Seeded only when absent, and only for the embedded default (DATABASE_URL unset). A demo
# file older than the schema (schema-check fails) is demo data only: it is seeded anew.
demo-db: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ] && [ -f $(DEMO_DB) ] && ! $(PY) -m dashboard schema-check >/dev/null 2>&1; then \
		echo "The demo database predates the current schema: seeding it anew."; \
		rm -f $(DEMO_DB)*; \
	fi
	@if [ -z "$$DATABASE_URL" ] && [ ! -f $(DEMO_DB) ]; then \
		echo "Seeding the demo database $(DEMO_DB)…"; \
		$(PY) -m dashboard demo --scale demo || { rm -f $(DEMO_DB)*; exit 1; }; \
	fi

run: demo-db
	@echo ""
	@echo "Zivo back-office on http://127.0.0.1:8501"
	@if [ -z "$$DATABASE_URL" ]; then \
		echo "Demo sign-ins, password zivo-demo: ops@demo.zivo, privacy@demo.zivo, founder@demo.zivo, admin@demo.zivo"; \
	fi
	@echo ""
	$(VENV)/bin/streamlit run dashboard/app.py

test: $(VENV)/.installed-dev
	$(PY) -m pytest -q

# Speed and memory of every page on DATABASE_URL (default: the demo); writes bench/results.md.
#   make bench DATABASE_URL=postgresql+psycopg://… BENCH_ARGS="--runs 5 --sessions 10"
BENCH_ARGS ?=
bench: demo-db
	$(PY) -m dashboard.bench $(BENCH_ARGS)

# The issue-11 benchmark: the large demo in its own PostgreSQL database (created and seeded
# once: about 20 minutes), then the bench on it. LARGE_DATABASE_URL picks the database.
LARGE_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/zivo_large
bench-large: $(VENV)/.installed
	DATABASE_URL=$(LARGE_DATABASE_URL) $(PY) -m dashboard demo --scale large --if-empty
	DATABASE_URL=$(LARGE_DATABASE_URL) $(PY) -m dashboard.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
