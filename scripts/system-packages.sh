#!/usr/bin/env bash
# System packages the project needs, installed once (idempotent): Chromium for the end-to-end tests,
# Liberation 2 fonts (Times-New-Roman metrics, full Vietnamese) for documents, the PostgreSQL client
# tools for backups, Apache PDFBox's PDF/A preflight (and a Java runtime) that the tests check documents with. Skipped quietly when everything is present.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Liberation 2 (not Debian's older fonts-liberation 1.x) has the Vietnamese letters ư, ơ and their tones.
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation2)
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)  # axe-core for the accessibility test (package.json)
for jar in preflight:libpdfbox2-java javax.activation:libactivation-java jaxb-api:libjaxb-api-java; do
  [ -f "/usr/share/java/${jar%%:*}.jar" ] || need+=("${jar#*:}")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Please install as root: apt-get install -y ${need[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
