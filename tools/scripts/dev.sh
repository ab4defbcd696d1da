#!/usr/bin/env bash
# `make dev`: the whole API on 127.0.0.1:3000 with everything it needs: moto's server (DynamoDB
# and SQS), the table, the events queue, demo data, the connection-service emulator publishing
# its events, and the local API applying them. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV_PY="$PWD/.venv/bin/python"
# shellcheck source=tools/scripts/moto.sh
source tools/scripts/moto.sh

export GATEWAY_TABLE=${GATEWAY_TABLE:-gateway-dev}
export GATEWAY_LISTEN=${GATEWAY_LISTEN:-127.0.0.1:3000}
# Browser origins allowed to call the local API (a frontend's dev server); * allows any.
export GATEWAY_CORS_ORIGINS=${GATEWAY_CORS_ORIGINS:-*}
export RUST_LOG=${RUST_LOG:-info}
# Login tokens: the local API publishes a development key as the "frontend's" JWKS.
export GATEWAY_DEV_SIGNER=${GATEWAY_DEV_SIGNER:-$PWD/.dev/dev-signer.json}
export GATEWAY_JWKS_URL=${GATEWAY_JWKS_URL:-http://$GATEWAY_LISTEN/.well-known/jwks.json}
export GATEWAY_JWT_ISSUER=${GATEWAY_JWT_ISSUER:-http://$GATEWAY_LISTEN/dev}
export GATEWAY_JWT_AUDIENCE=${GATEWAY_JWT_AUDIENCE:-whatsapp-gateway-local}
# Live operations go to the connection-service emulator, an in-memory WhatsApp.
export EMULATOR_LISTEN=${EMULATOR_LISTEN:-127.0.0.1:3001}
export GATEWAY_CONNECTION_URL=${GATEWAY_CONNECTION_URL:-http://$EMULATOR_LISTEN}
export GATEWAY_CONNECTION_TOKEN=${GATEWAY_CONNECTION_TOKEN:-local-connection-secret}

echo "building the local tools..."
cargo build --quiet --bin local-api --bin gatewayctl --bin connection-emulator
# Where cargo put them (CARGO_TARGET_DIR moves the whole target folder).
BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_moto
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p .dev
MOTO_LOG=.dev/moto.log start_moto
"$BIN"/gatewayctl create-table >/dev/null
# The events queue: the emulator publishes to it, the local API's ingest reads it.
GATEWAY_EVENTS_QUEUE_URL=$("$BIN"/gatewayctl dev create-queue --name "$GATEWAY_TABLE-events" | sed -n 1p)
export GATEWAY_EVENTS_QUEUE_URL
KEY=$("$BIN"/gatewayctl dev seed)
TOKEN=$("$BIN"/gatewayctl dev-token --org demo-org --role admin --ttl 86400)

# WhatsApp as the demo data has it: the demo session connected, its groups there.
EMULATOR_SESSIONS="demo=6281234567890@s.whatsapp.net" "$BIN"/connection-emulator >.dev/emulator.log 2>&1 &
PIDS+=($!)
wait_for "$EMULATOR_LISTEN"
"$VENV_PY" tools/scripts/seed_emulator.py "$GATEWAY_CONNECTION_URL"

"$BIN"/local-api &
PIDS+=($!)
wait_for "$GATEWAY_LISTEN"

# Stored data follows WhatsApp by itself: a group made on WhatsApp (the emulator's control API,
# as from a phone) shows up in listGroups, through the events queue, with no call to the API.
MADE_JID="120363000000000042@g.us"
"$VENV_PY" - "$GATEWAY_CONNECTION_URL" "$MADE_JID" <<'PY'
import json, sys, urllib.request
url, jid = sys.argv[1:]
body = json.dumps({"subject": "Made on WhatsApp",
                   "participants": [{"jid": "6289876543210@s.whatsapp.net", "role": "member"}]}).encode()
urllib.request.urlopen(urllib.request.Request(f"{url}/_emulator/sessions/demo/groups/{jid}", body,
                       method="PUT", headers={"content-type": "application/json"})).read()
PY
SEEN=$("$VENV_PY" - "http://$GATEWAY_LISTEN" "$KEY" "$MADE_JID" <<'PY'
import json, sys, time, urllib.request
base, key, jid = sys.argv[1:]
request = urllib.request.Request(f"{base}/api/v1/sessions/demo/groups",
                                 headers={"authorization": f"Bearer {key}"})
for _ in range(100):  # a demo, not a test: wait for the ingest, at most 10 s
    groups = json.load(urllib.request.urlopen(request))["data"]
    made = [g for g in groups if g["groupJid"] == jid]
    if made:
        print(f"{made[0]['subject']} ({jid}, id {made[0]['id']}, {made[0]['participantCount']} members)")
        break
    time.sleep(0.1)
else:
    print("not yet: see .dev/emulator.log and the local API's log")
PY
)

cat <<MSG

The group API is running on http://$GATEWAY_LISTEN (DynamoDB and SQS: moto at
$AWS_ENDPOINT_URL_DYNAMODB, table $GATEWAY_TABLE, events queue $GATEWAY_EVENTS_QUEUE_URL).
A group made on WhatsApp showed up in listGroups by itself, through the events queue:
  $SEEN
Demo organization 'demo-org', session 'demo', API key with read,send:

  curl -s -H "Authorization: Bearer $KEY" http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups

  curl -s -H "Authorization: Bearer $KEY" http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups/120363021234567890%40g.us

  curl -s -H "Authorization: Bearer $KEY" http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups/120363021234567890%40g.us/members

A login token of an admin of demo-org, as the web frontend would send (valid 24 h; make another
with: $BIN/gatewayctl dev-token --org demo-org --role member):

  curl -s -H "Authorization: Bearer $TOKEN" http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups

Live operations reach the connection-service emulator (an in-memory WhatsApp) at
$GATEWAY_CONNECTION_URL; its control API is in tools/connection-emulator/README.md.

  curl -s -X POST -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
    -d '{"name": "Launch Crew", "participants": ["6281111111111@s.whatsapp.net"]}' \\
    http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups

  curl -s -X PATCH -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
    -d '{"subject": "Project Team (Q4)", "announce": true}' -w '%{http_code}\n' \\
    http://$GATEWAY_LISTEN/api/v1/sessions/demo/groups/120363021234567890%40g.us

Ctrl-C stops everything.
MSG
wait "${PIDS[@]}"
