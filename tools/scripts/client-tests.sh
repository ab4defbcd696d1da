#!/usr/bin/env bash
# `make client-tests`: the generated clients' tests against the local API. Starts what the API
# needs exactly as `make conformance` does (tools/scripts/local-stack.sh: moto, the table with the
# demo data, the connection emulator, the local API, on free loopback ports), mints login tokens
# of a demo-org admin and member, runs the TypeScript client's tests (node --test) and the Python
# client's (pytest), and stops everything. Expects the clients built (`make clients-build`, which
# the Makefile target runs first). Logs in .dev/client-tests/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV_PY="$ROOT/.venv/bin/python"
CLIENTS_VENV=${CLIENTS_VENV:-$ROOT/.venv-clients}
# shellcheck source=tools/scripts/local-stack.sh
source tools/scripts/local-stack.sh

OUT=.dev/client-tests
rm -rf "$OUT"
mkdir -p "$OUT"

trap stop_local_stack EXIT
trap 'exit 130' INT TERM
start_local_stack client-tests "$OUT"

# What the tests read: where the API is, the demo API key (read,send), and login tokens as a web
# frontend would send them (an admin: read,send; a member: read).
export GATEWAY_URL="http://$GATEWAY_LISTEN"
export GATEWAY_API_KEY="$LOCAL_STACK_API_KEY"
GATEWAY_LOGIN_TOKEN=$("$BIN"/gatewayctl dev-token --org demo-org --role admin)
GATEWAY_MEMBER_TOKEN=$("$BIN"/gatewayctl dev-token --org demo-org --role member)
export GATEWAY_LOGIN_TOKEN GATEWAY_MEMBER_TOKEN

status=0
echo "== TypeScript client: node --test"
(
  cd clients/typescript
  node_modules/.bin/tsc -p tsconfig.test.json
  node --test --test-reporter=spec build/test/client.test.js
) || status=1

echo "== Python client: pytest"
(
  cd clients/python
  "$CLIENTS_VENV/bin/python" -m pytest -q
) || status=1

if [ "$status" -ne 0 ]; then
  echo "client tests failed; logs in $OUT/ (local-api.log, emulator.log, moto.log)" >&2
fi
exit "$status"
