#!/usr/bin/env bash
# `make test`: starts what the tests need on free ports, runs every test, stops it all.
# The JWKS endpoints and the connection-service emulator are started by the tests themselves,
# in-process on 127.0.0.1:0; DynamoDB is moto's server, started here.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV_PY="$PWD/.venv/bin/python"
# shellcheck source=tools/scripts/moto.sh
source tools/scripts/moto.sh

trap stop_moto EXIT
start_moto
echo "moto's DynamoDB server at $AWS_ENDPOINT_URL_DYNAMODB"
# --locked where CARGO_LOCKED says so (in CI; see the Makefile).
cargo test ${CARGO_LOCKED:+"$CARGO_LOCKED"} --workspace --all-targets "$@"
