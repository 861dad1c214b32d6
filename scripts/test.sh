#!/usr/bin/env bash
# Runs the test suite on PostgreSQL (with Redis, a real Celery worker and Debian's
# Chromium): installs and starts what is missing, then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_services.sh
bash scripts/venv.sh test
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_coverage}
export CELERY_TEST_BROKER_URL=${CELERY_TEST_BROKER_URL:-redis://127.0.0.1:6379/15}
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
unset CELERY_BROKER_URL
export WUHAI_VAR_DIR=${WUHAI_VAR_DIR:-$(pwd)/var/test}
exec .venv/bin/pytest "$@"
