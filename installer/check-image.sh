#!/usr/bin/env bash
# Starts the launchers of a built image for real, so that a broken image fails the build:
#   bin/idcguard-agent --help; demo up with a cluster (manager, node agents and PostgreSQL from the image's runtime);
#   the console under Xvfb connecting to that manager and showing its main view; demo down.
# Usage: installer/check-image.sh IMAGE_DIR   (e.g. installer/target/image/IDCGuard)
set -euo pipefail
IMAGE="$(cd "$1" && pwd)"
AGENT="$IMAGE/bin/idcguard-agent"
CONSOLE="$IMAGE/bin/IDCGuard"
say() { echo "check-image: $*"; }
fail() { echo "check-image: FAILED: $*" >&2; exit 1; }

[ -x "$IMAGE/lib/runtime/bin/java" ] || fail "the image's runtime has no bin/java (the agent starts its children with it)."
"$AGENT" --help > /dev/null || fail "idcguard-agent --help exited non-zero."
say "idcguard-agent --help answers."
# the PostgreSQL library the Debian package installs: built for every server major with headers on the build machine
for inc in /usr/include/postgresql/*/server/postgres.h; do
  [ -f "$inc" ] || continue
  major="$(basename "$(dirname "$(dirname "$inc")")")"
  [ -f "$IMAGE/lib/app/postgresql/$major/idcguard_lease.so" ] || fail "the image carries no idcguard_lease library for PostgreSQL $major."
  say "the image carries the idcguard_lease library for PostgreSQL $major."
done

# A home of mode 0755, so the unprivileged PostgreSQL user can reach the instances' data directories in it.
HOME_DIR="$(mktemp -d)"
chmod 755 "$HOME_DIR"
XVFB_PID=""
CONSOLE_PID=""
cleanup() {
  [ -n "$CONSOLE_PID" ] && kill "$CONSOLE_PID" 2>/dev/null && wait "$CONSOLE_PID" 2>/dev/null || true
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null || true
  "$AGENT" demo down --home "$HOME_DIR" > /dev/null 2>&1 || true
  rm -rf "$HOME_DIR"
}
trap cleanup EXIT

started=$(date +%s)
"$AGENT" demo up --home "$HOME_DIR" --cluster Check > "$HOME_DIR/demo-up.out" 2>&1 \
  || { cat "$HOME_DIR/demo-up.out" >&2; fail "demo up from the image failed."; }
grep -q "Cluster Check created" "$HOME_DIR/demo-up.out" || { cat "$HOME_DIR/demo-up.out" >&2; fail "demo up created no cluster."; }
say "demo up with a cluster, from the image: $(( $(date +%s) - started )) s."

if command -v Xvfb > /dev/null; then
  DISPLAY_NUMBER=$(( 90 + RANDOM % 100 ))
  Xvfb ":$DISPLAY_NUMBER" -screen 0 1400x900x24 -nolisten tcp > /dev/null 2>&1 &
  XVFB_PID=$!
  sleep 1
  DISPLAY=":$DISPLAY_NUMBER" IDCGUARD_HOME="$HOME_DIR" "$CONSOLE" > "$HOME_DIR/console.out" 2>&1 &
  CONSOLE_PID=$!
  for _ in $(seq 1 120); do
    grep -q "Connected to the manager at" "$HOME_DIR/console.out" && break
    kill -0 "$CONSOLE_PID" 2>/dev/null || break
    sleep 0.5
  done
  grep -q "Connected to the manager at" "$HOME_DIR/console.out" || { cat "$HOME_DIR/console.out" >&2; fail "the console did not reach its main view."; }
  sleep 3  # the dashboard's first refresh: a console that dies drawing it fails here
  kill -0 "$CONSOLE_PID" 2>/dev/null || { cat "$HOME_DIR/console.out" >&2; fail "the console ended after connecting."; }
  say "the console connected to the demo's manager and shows its main view."
else
  say "Xvfb is not installed: the console was not started (apt-get install xvfb)."
fi

"$AGENT" demo down --home "$HOME_DIR" > /dev/null || fail "demo down from the image failed."
say "demo down: every process stopped."
