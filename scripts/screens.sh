#!/usr/bin/env bash
# Screenshots of every page as each role sees it, at 1366 and 390 px:
#   var/screens/<role>/<page>-<width>.png and var/screens/index.tsv (role, page, URL, status).
# Starts the portal on the embedded demo (SQLite under var/screens-demo/, Wuhai demo data,
# as scripts/run.sh does) on SCREENS_ADDR (default 127.0.0.1:8765), walks the pages with
# scripts/screens.py (headless Debian Chromium), and stops the portal.
#   bash scripts/screens.sh [screens.py options: --roles street_staff --only queue,task …]
# SCREENS_DATABASE_URL=postgres://… uses that (already seeded) database instead of the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "no .venv: run scripts/venv.sh first" >&2; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "Chromium missing: apt-get install -y chromium fonts-noto-cjk" >&2; exit 1; }
fc-list :lang=zh | grep -q . || echo "warning: no CJK font (apt-get install -y fonts-noto-cjk): Chinese will be boxes" >&2
ADDR="${SCREENS_ADDR:-127.0.0.1:8765}"
unset CELERY_BROKER_URL
export DJANGO_DEBUG=1 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-screens-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}"
if [ -n "${SCREENS_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$SCREENS_DATABASE_URL"
else
  unset DATABASE_URL
  export WUHAI_VAR_DIR="${WUHAI_VAR_DIR:-$PWD/var/screens-demo}"
  mkdir -p "$WUHAI_VAR_DIR"
  .venv/bin/python manage.py migrate --noinput -v0
  [ -s "$WUHAI_VAR_DIR/.demo-loaded" ] || { .venv/bin/python manage.py load_demo_data >/dev/null && date -u > "$WUHAI_VAR_DIR/.demo-loaded"; }
fi
LOG="$(mktemp)"
.venv/bin/python manage.py runserver --noreload "$ADDR" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://$ADDR/healthz/" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.5
done
echo "portal on http://$ADDR (pid $SERVER)"
.venv/bin/python scripts/screens.py --base "http://$ADDR" --out "${SCREENS_OUT:-var/screens}" "$@"
