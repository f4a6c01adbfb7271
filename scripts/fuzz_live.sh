#!/usr/bin/env bash
# The long fuzz run: schemathesis, every check, against a live server holding the demo data.
#
#   make fuzz                          # 2,000 examples per operation on a fresh demo database
#   make fuzz FUZZ_EXAMPLES=20000      # longer
#   make fuzz FUZZ_URL=http://127.0.0.1:8000   # a server already running (e.g. `make demo`)
#
# Without FUZZ_URL it builds a throwaway SQLite database with the demo data and serves it
# with gunicorn and production settings (gunicorn.conf.py, no debug pages), anonymous
# throttling raised out of the way.
set -euo pipefail
cd "$(dirname "$0")/.."

EXAMPLES="${FUZZ_EXAMPLES:-2000}"
URL="${FUZZ_URL:-}"
PY=.venv/bin/python

if [ -z "$URL" ]; then
  PORT="${FUZZ_PORT:-8765}"
  URL="http://127.0.0.1:$PORT"
  WORK="$(mktemp -d)"
  export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3"
  export DJANGO_SECRET_KEY="fuzz-run-only-$(date +%s)"
  export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=127.0.0.1
  export FACTCHECK_API_ANON_RATE="1000000/minute"
  $PY manage.py migrate --no-input -v0
  $PY manage.py loaddata demo -v0
  .venv/bin/gunicorn factcheck.wsgi -c gunicorn.conf.py --bind "127.0.0.1:$PORT" --workers 2 \
    >"$WORK/server.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do
    curl -fs -o /dev/null "$URL/api/v1/" && break
    sleep 0.5
  done
fi

echo "fuzzing $URL/api/schema/ with $EXAMPLES examples per operation"
SCHEMATHESIS_HOOKS=tests.api.fuzz_hooks .venv/bin/st run "$URL/api/schema/" \
  --checks all \
  --max-examples "$EXAMPLES" \
  --workers 2 \
  --request-timeout 30
