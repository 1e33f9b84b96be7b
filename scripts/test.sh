#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs the whole suite twice:
# on the embedded SQLite and on a throw-away PostgreSQL + PostGIS cluster.
# Debian: chromium + chromium-driver (browser tests), fonts-noto-cjk (Chinese glyphs in screenshots),
# postgresql + PostGIS (second backend).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

pg_postgis_package() {
  local ver
  ver="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$ver" ] || ver="$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9]*\)$/\1/p' | head -n 1)"
  echo "postgresql-${ver}-postgis-3"
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing+=(postgis)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  # the server first, so the PostGIS package can be picked for its major version
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    echo "installing Debian package: postgresql"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  pkgs=()
  for p in "${missing[@]}"; do
    case "$p" in
      postgresql) ;;
      postgis) pkgs+=("$(pg_postgis_package)") ;;
      *) pkgs+=("$p") ;;
    esac
  done
  if [ "${#pkgs[@]}" -gt 0 ]; then
    echo "installing Debian packages: ${pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
fi

"$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore -r requirements-dev.txt

echo "== tests on SQLite"
env -u JINLIN_TEST_PG "$PYTHON" -m pytest -q "$@"

echo "== tests on PostgreSQL + PostGIS"
pgdir="$(mktemp -d /tmp/jinlin-pg.XXXXXX)"
trap 'bash scripts/pg_cluster.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
admin_url="$(bash scripts/pg_cluster.sh start "$pgdir")"
JINLIN_TEST_PG="$admin_url" JINLIN_TEST_PG_DIR="$pgdir" "$PYTHON" -m pytest -q "$@"
