#!/usr/bin/env bash
# schemathesis against every OpenAPI document the server serves (/openapi/<name>.json): a
# fresh server on a temporary SQLite database, an org with one admin and that admin's API
# token; then, per document, every operation fuzzed and checked for server errors and answers
# that break their own schema. Exits non-zero on any failure.
#
# Usage: end2end/schemathesis.sh [max examples per operation, default 25]
# Needs target/debug/sharewell (cargo build -p server) and end2end/.venv (make deps);
# SCHEMATHESIS names another `st` to use.
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-25}"
binary=target/debug/sharewell
st=${SCHEMATHESIS:-end2end/.venv/bin/st}
dir=$(mktemp -d)
export DATABASE_URL="sqlite://$dir/sharewell.db?mode=rwc"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)[\"$1\"])"; }
"$binary" migrate > /dev/null
org=$("$binary" org create --name "Schemathesis" --json | json_field id)
SHAREWELL_PASSWORD= "$binary" user create --org "$org" --username fuzzer \
  --email fuzzer@example.test --password "correct horse battery" --role admin --json > /dev/null
token=$("$binary" token create --username fuzzer --json | json_field token)
export SHAREWELL_ACCOUNT_ID="${org//-/}"

# Public operations are throttled per address; the fuzzer is one address sending thousands.
SHAREWELL_ADDR="127.0.0.1:$port" SHAREWELL_PUBLIC_RATE_BURST=1000000 \
  "$binary" serve > "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

failed=0
for name in api cloudflare enablenow epilot puter zus; do
  echo "== $name"
  # The API's revoke_token would revoke the fuzzer's own token halfway through the run.
  skip=()
  if [ "$name" = api ]; then skip=(--exclude-operation-id revoke_token); fi
  if ! "$st" --config-file end2end/python/schemathesis.toml run \
      "http://127.0.0.1:$port/openapi/$name.json" --url "http://127.0.0.1:$port" \
      -H "Authorization: Bearer $token" \
      --checks not_a_server_error,response_schema_conformance \
      --max-examples "$examples" "${skip[@]}"; then
    failed=1
  fi
done
exit "$failed"
