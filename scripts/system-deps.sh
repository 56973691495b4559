#!/usr/bin/env bash
# Installs the Debian packages the platform needs, when they are missing.
#   base: python3-venv, gettext (compiles the translations), Pango and Korean fonts (PDF cards)
#   test: also PostgreSQL and Chromium (browser tests)
set -euo pipefail
need=()
python3 -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
command -v msgfmt >/dev/null || need+=(gettext)
# WeasyPrint (PDF cards) draws text with Pango; Korean needs the Nanum fonts.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0" || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi nanum || need+=(fonts-nanum fontconfig)
if [ "${1:-base}" = test ]; then
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v java >/dev/null || need+=(openjdk-17-jre-headless)  # Spark runs the energy tests too
  [ -x /usr/sbin/nginx ] || need+=(nginx-light)  # the deployment test runs deploy/nginx in front of gunicorn
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install as root: apt-get install ${need[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# A freshly installed nginx may have started its default site; the tests start their own.
if [[ " ${need[*]} " == *" nginx-light "* ]] && [ -f /run/nginx.pid ]; then $SUDO /usr/sbin/nginx -s quit || true; fi
