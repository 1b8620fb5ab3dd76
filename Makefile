# The two commands a newcomer runs: `make run` and `make test` (see README.md).
# Each creates .venv and installs what it needs by itself.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Django 6 needs Python >= 3.12: take the first such interpreter this machine has (pyenv included).
PYTHON ?= $(shell for p in python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null) python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)

# The suite runs twice: on SQLite, then on a throwaway PostgreSQL 15 cluster (scripts/with_postgres.py).
PG_BIN := /usr/lib/postgresql/15/bin

.PHONY: run test test-sqlite test-postgresql install

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The background worker (mail, annual report builds: django.tasks in the database) runs beside the
# development server and stops with it; mail is written to var/mail/.
run: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py setup_demo
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Installed only when missing, and only as root (Debian's package; its own cluster is not used).
$(PG_BIN)/initdb:
	@if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15; \
	else echo "$(PG_BIN)/initdb is missing and only root can install postgresql-15"; fi

# The browser tests drive Debian's Chromium (never a downloaded browser); the PDF checks use
# poppler's pdftotext/pdffonts; screenshots need a Japanese font; the login throttle is tested
# behind nginx (deploy/nginx.conf); the several-hosts test shares a memcached; systemd-analyze checks the
# units in deploy/systemd. Installed only when missing.
SYSTEM_TOOLS := /usr/bin/chromium /usr/bin/pdftotext /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/sbin/nginx \
	/usr/bin/memcached /usr/bin/systemd-analyze

$(SYSTEM_TOOLS):
	@if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium poppler-utils fonts-noto-cjk nginx memcached systemd; \
	else echo "$@ is missing and only root can install chromium poppler-utils fonts-noto-cjk nginx memcached systemd"; fi

# pytest-xdist spreads the suite over the machine's cores (each worker has its own test database); a module
# that builds its data once for its tests (tests/conftest.py: module_data) is one xdist group, run by one worker.
# The fast part alone: `.venv/bin/python -m pytest -m "not slow"`.
PYTEST := $(PY) -m pytest -n auto --dist loadgroup --durations=15

# Both runs happen even when the first fails (-k); `make test` fails if either does. (Side by side with -j2
# they took longer: four xdist workers and the browsers on two cores slowed each other down.)
test: $(STAMP) $(PG_BIN)/initdb $(SYSTEM_TOOLS)
	@$(MAKE) --no-print-directory -k test-sqlite test-postgresql

test-sqlite: $(STAMP)
	@echo "===== pytest on SQLite (the embedded default) ====="
	env -u DATABASE_URL $(PYTEST)

test-postgresql: $(STAMP) $(PG_BIN)/initdb
	@echo "===== pytest on PostgreSQL 15 (a throwaway cluster: scripts/with_postgres.py) ====="
	$(PY) scripts/with_postgres.py -- $(PYTEST)
