#!/usr/bin/env bash
# Builds one installable application image (jpackage app-image) holding the console and the bundled agent:
#   installer/target/IDCGuard/bin/IDCGuard          the console
#   installer/target/IDCGuard/bin/idcguard-agent    manager, node agents, demo, CLI (same commands as ./idcguard)
# Pass --type deb (or rpm) to get a package instead of a folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TYPE="app-image"
[ "${1:-}" = "--type" ] && TYPE="$2"
command -v jpackage >/dev/null || { echo "jpackage (JDK 17+) is required to build the image." >&2; exit 1; }

mvn -B -q -DskipTests install
OUT="installer/target"
INPUT="$OUT/input"
rm -rf "$OUT" && mkdir -p "$INPUT"
for jar in app/target/idcguard-app.jar app/target/lib/*.jar agent/target/idcguard-agent.jar agent/target/lib/*.jar; do
  [ -e "$INPUT/$(basename "$jar")" ] || cp "$jar" "$INPUT"/   # the two modules share most libraries
done

jpackage --type "$TYPE" --dest "$OUT" --input "$INPUT" \
  --name IDCGuard --app-version 0.1.0 --vendor "IDC Guard" \
  --main-jar idcguard-app.jar --main-class org.idcguard.app.ConsoleMain \
  --java-options "-Xmx1g" \
  --add-launcher idcguard-agent="$ROOT/installer/agent-launcher.properties"
echo "Built $OUT/IDCGuard ($TYPE)."
