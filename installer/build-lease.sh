#!/usr/bin/env bash
# Builds the PostgreSQL library of IDC Guard (extension/idcguard_lease: the lease check and two-phase commit across
# shards) for every PostgreSQL major whose server headers are installed here, into OUT/postgresql/MAJOR/, for the
# image (and so the Debian package) to carry; the package's postinst copies it into the matching server's library
# directory. A major without headers is skipped with a line saying so: that server runs without the library until
# `idcguard` is run once as root on its computer.
# Usage: installer/build-lease.sh OUT_DIR
set -euo pipefail
OUT="$1"
SRC="$(cd "$(dirname "$0")/../extension/idcguard_lease" && pwd)"
built=0
for pgc in /usr/lib/postgresql/*/bin/pg_config; do
  [ -x "$pgc" ] || continue
  major="$(basename "$(dirname "$(dirname "$pgc")")")"
  if ! [ -f "$("$pgc" --includedir-server)/postgres.h" ]; then
    echo "build-lease: PostgreSQL $major has no server headers here (postgresql-server-dev-$major): not in the image."
    continue
  fi
  work="$(mktemp -d)"
  cp "$SRC"/*.c "$SRC"/Makefile "$work"/
  [ -f "$SRC/idcguard_lease.control" ] && cp "$SRC"/*.control "$SRC"/*.sql "$work"/ 2>/dev/null || true
  make -s -C "$work" PG_CONFIG="$pgc" >/dev/null
  install -D -m 755 "$work/idcguard_lease.so" "$OUT/postgresql/$major/idcguard_lease.so"
  rm -rf "$work"
  echo "build-lease: built for PostgreSQL $major."
  built=$((built + 1))
done
[ "$built" -gt 0 ] || echo "build-lease: no PostgreSQL server headers found: the image carries no library."
