#!/usr/bin/env bash
# Installs (if absent) and starts (if down) what the test suite needs on a Debian machine:
# PostgreSQL, Redis, Debian's Chromium, Noto CJK fonts, poppler-utils, GNU gettext, docker-compose, nginx; creates the
# `wuhai` database role. Idempotent; safe to run on a machine where all is already up.
set -euo pipefail
# (a `grep -q` at the end of a pipe would make the pipe fail under pipefail: grep >/dev/null)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
command -v xgettext >/dev/null 2>&1 || need+=(gettext)   # tests/core/test_i18n.py runs makemessages
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -x /usr/sbin/nginx ] || need+=(nginx-light)          # tests/core/test_reverse_proxy.py runs deploy/nginx.conf
# WeasyPrint needs Pango; most Debian images have it, a bare one may not.
ldconfig -p 2>/dev/null | grep libpango-1.0 >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "[setup] installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL: start the newest cluster named main when it is not online.
if command -v pg_lsclusters >/dev/null 2>&1; then
  ver=$(pg_lsclusters -h | awk '$2=="main"{print $1}' | sort -V | tail -n1)
  if [ -z "$ver" ]; then
    ver=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    $SUDO pg_createcluster "$ver" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"{print $4}' | grep -q online; then
    echo "[setup] starting PostgreSQL $ver"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  fi
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432

# Our own role, created as the postgres OS user (works whatever the auth method).
$SUDO runuser -u postgres -- psql -v ON_ERROR_STOP=1 -q -c \
  "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='wuhai') THEN CREATE ROLE wuhai LOGIN CREATEDB PASSWORD 'wuhai'; END IF; END\$\$;"

# Redis: a second start exits 0 even when it fails to bind, so check with ping.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "[setup] starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/wuhai-tests.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
echo "[setup] PostgreSQL and Redis are up"
