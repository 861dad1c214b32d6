#!/usr/bin/env bash
# Runs the portal on its embedded default: SQLite under var/, Celery tasks in-process,
# Wuhai demo data, on http://127.0.0.1:8000. Prints the demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
unset DATABASE_URL CELERY_BROKER_URL
export DJANGO_DEBUG=1
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo_data
exec .venv/bin/python manage.py runserver "${PORTAL_ADDR:-127.0.0.1:8000}"
