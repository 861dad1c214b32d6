#!/usr/bin/env bash
# The OpenAPI schema tells the truth: schemathesis (every check) against a throwaway
# seeded portal. SQLite and files under var/schemathesis/, Celery in-process, gunicorn on
# a free port of 127.0.0.1; one API key per role the API serves (a city manager for the
# tasks, runs, assessment and roster reading; a partner for the roster pushes). Exits
# non-zero on any failure; the server is always stopped.
#
#   bash scripts/schemathesis.sh                 # ~2 min
#   ST_MAX_EXAMPLES=50 bash scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT="$PWD"
VAR="$ROOT/var/schemathesis"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-12}"
SEED="${ST_SEED:-20201017}"
rm -rf "$VAR"
mkdir -p "$VAR"

unset DATABASE_URL CELERY_BROKER_URL CACHE_URL
export WUHAI_VAR_DIR="$VAR" DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
export DJANGO_SECRET_KEY="schemathesis-only-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Generous limits: schemathesis sends hundreds of requests a minute from one address. The
# 429 answers themselves are documented and were checked with the real limits in tests.
export API_THROTTLE_USER=100000/min API_THROTTLE_ANON=100000/min API_THROTTLE_TOKEN_FAILURE=100000/min

PY=.venv/bin/python
echo "== seeding a throwaway portal in $VAR"
$PY manage.py migrate --noinput -v0
$PY manage.py load_demo_data --scale "${ST_SCALE:-0.2}" >"$VAR/demo.log"
MANAGER_KEY=$($PY manage.py issue_api_token manager)
PARTNER_KEY=$($PY manage.py issue_api_token market)

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
# One worker: SQLite takes one writer at a time. No request-line limit: gunicorn's own 400
# (an HTML page) for a long query string is not the portal's answer; behind nginx such a
# request is refused before it reaches gunicorn.
.venv/bin/gunicorn wuhai_coverage.wsgi:application --bind "127.0.0.1:$PORT" --workers 1 \
    --timeout 120 --log-level warning --limit-request-line 0 >"$VAR/server.log" 2>&1 &
SERVER=$!
stop_server() {
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
}
trap stop_server EXIT
trap 'exit 130' INT TERM # through the EXIT trap: the server is stopped either way

ready() {
    $PY -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$BASE/api/v1/schema/" 2>/dev/null
}
for attempt in $(seq 1 100); do
    ready && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$VAR/server.log"; exit 1; }
    [ "$attempt" -lt 100 ] || { echo "the portal did not start" >&2; exit 1; }
    sleep 0.3
done

run() {  # run NAME KEY [filters...]
    local name=$1 key=$2
    shift 2
    echo "== schemathesis as $name"
    # From var/schemathesis/: schemathesis keeps its crash store in ./.schemathesis/.
    (cd "$VAR" && "$ROOT/.venv/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis.toml" \
        run "$BASE/api/v1/schema/" \
        --checks all --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 2 \
        --header "Authorization: Token $key" --no-color \
        --generation-database none --report junit --report-dir "$VAR/report-$name" \
        "$@")
}

status=0
run manager "$MANAGER_KEY" --exclude-operation-id rosters_push || status=1
run partner "$PARTNER_KEY" --include-path-regex '^/api/v1/rosters/' || status=1
exit $status
