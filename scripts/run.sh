#!/usr/bin/env bash
# Runs the portal on its embedded default: SQLite under var/, Celery tasks in-process,
# Wuhai demo data. Serves on PORTAL_ADDR (default 127.0.0.1:8000; "8000", ":8000" and
# "0.0.0.0:8000" work too) and prints the address it really serves. Prints the demo logins.
# Installs the CJK fonts when missing (the notices' PDFs print boxes without them), as
# scripts/setup_services.sh does.
set -euo pipefail
# (a `grep -q` at the end of a pipe would make the pipe fail under pipefail: grep >/dev/null)
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
fc-list 2>/dev/null | grep -i "Noto.*CJK" >/dev/null || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  echo "[run] CJK fonts missing (PDF notices would print boxes): installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fc-list | grep -i "Noto.*CJK" >/dev/null || { echo "[run] fonts-noto-cjk did not install" >&2; exit 1; }
fi

bash scripts/venv.sh
unset DATABASE_URL CELERY_BROKER_URL
export DJANGO_DEBUG=1

# The address runserver will bind: "PORT", ":PORT", "HOST:PORT" or "[v6]:PORT".
addr="${PORTAL_ADDR:-127.0.0.1:8000}"
case "$addr" in
  *:*) host="${addr%:*}"; port="${addr##*:}" ;;
  *) host=""; port="$addr" ;;
esac
[ -n "$host" ] || host="127.0.0.1"
case "$port" in
  '' | *[!0-9]*) echo "[run] PORTAL_ADDR=$addr: expected PORT or HOST:PORT, e.g. 0.0.0.0:8000" >&2; exit 2 ;;
esac
addr="$host:$port"
urls=()
if [ "$host" = "0.0.0.0" ] || [ "$host" = "[::]" ]; then
  # Every interface: the machine's own addresses are what a browser elsewhere uses.
  urls+=("http://127.0.0.1:$port/")
  for ip in $(hostname -I 2>/dev/null || true); do
    case "$ip" in *:*) ;; *) urls+=("http://$ip:$port/") ;; esac
  done
else
  urls+=("http://$host:$port/")
fi
# Let the printed hosts in (Django refuses an unknown Host header), unless set by the caller.
if [ -z "${DJANGO_ALLOWED_HOSTS:-}" ]; then
  hosts="127.0.0.1,localhost,testserver"
  for u in "${urls[@]}"; do h="${u#http://}"; hosts="$hosts,${h%:*}"; done
  export DJANGO_ALLOWED_HOSTS="$hosts"
fi

.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo_data
echo
echo "[run] the portal serves on (PORTAL_ADDR=$addr):"
for u in "${urls[@]}"; do echo "        $u"; done
echo
exec .venv/bin/python manage.py runserver "$addr"
