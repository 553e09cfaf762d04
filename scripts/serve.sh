#!/usr/bin/env bash
# `make run`: the web server and a job worker in one terminal; Ctrl-C (or either one ending) stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
# The demo: the web server and its worker both run the development settings (demo values, simulators);
# without APP_ENV the app would run production, which refuses the demo's published values.
export APP_ENV=development
FLASK=(.venv/bin/flask --app wsgi)
"${FLASK[@]}" jobs worker &
worker=$!
stop() {
  trap - INT TERM EXIT
  kill -TERM "$worker" 2>/dev/null
  wait "$worker" 2>/dev/null
}
trap stop INT TERM EXIT
"${FLASK[@]}" run --host 127.0.0.1 --port "${PORT:-5000}"
