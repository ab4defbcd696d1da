#!/usr/bin/env bash
# The clients generated from openapi.yaml (see clients/README.md), run by the Makefile:
#   tools/scripts/clients.sh generate   regenerate clients/typescript/src/schema.ts and
#                                       clients/python/whatsapp-gateway-client/ from openapi.yaml
#   tools/scripts/clients.sh build      compile the TypeScript client (clients/typescript/dist) and
#                                       build the Python client's wheel (target/clients/python),
#                                       installed into .venv-clients for the tests
#   tools/scripts/clients.sh check      fail if the committed clients differ from what `generate`
#                                       makes (run after it): changed or untracked files alike
# The generators are pinned (clients/typescript/package-lock.json,
# clients/python/requirements.txt) and installed by the Makefile (`npm ci`, .venv-clients).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TS=clients/typescript
PY=clients/python
PY_PROJECT=$PY/whatsapp-gateway-client
CLIENTS_VENV=${CLIENTS_VENV:-$ROOT/.venv-clients}
WHEELS="${CARGO_TARGET_DIR:-$ROOT/target}/clients/python"

generate() {
  echo "clients: TypeScript types from openapi.yaml (openapi-typescript)"
  (cd "$TS" && node_modules/.bin/openapi-typescript ../../openapi.yaml --output src/schema.ts >/dev/null)

  echo "clients: Python client from openapi.yaml (openapi-python-client)"
  # The post-hooks (ruff, from the same venv) find their tools on PATH; ruff keeps no cache there.
  local log
  log=$(mktemp)
  if ! PATH="$CLIENTS_VENV/bin:$PATH" RUFF_NO_CACHE=true "$CLIENTS_VENV/bin/openapi-python-client" generate \
      --path openapi.yaml --config "$PY/config.yml" --meta uv \
      --output-path "$PY_PROJECT" --overwrite >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "openapi-python-client failed" >&2
    exit 1
  fi
  # A warning means part of the document was left out of the client: show it, and fail.
  if grep -q 'Warning' "$log"; then
    cat "$log" >&2
    rm -f "$log"
    echo "openapi-python-client left parts of openapi.yaml out (warnings above)" >&2
    exit 1
  fi
  rm -f "$log"
}

build() {
  echo "clients: compiling the TypeScript client (tsc)"
  (cd "$TS" && rm -rf dist build && node_modules/.bin/tsc -p tsconfig.json)

  echo "clients: building the Python client's wheel"
  rm -rf "$WHEELS"
  mkdir -p "$WHEELS"
  # uv-build comes pinned in the venv (and is found on PATH): no build isolation, nothing
  # fetched at build time.
  PATH="$CLIENTS_VENV/bin:$PATH" "$CLIENTS_VENV/bin/pip" wheel --quiet --no-deps --no-build-isolation -w "$WHEELS" "$PY_PROJECT"
  "$CLIENTS_VENV/bin/pip" install --quiet --no-deps --force-reinstall "$WHEELS"/*.whl
}

check() {
  local changed
  changed=$(git status --porcelain --untracked-files=all -- clients/)
  if [ -n "$changed" ]; then
    echo "clients/ differs from what \`make clients\` generates from openapi.yaml:" >&2
    echo "$changed" >&2
    git --no-pager diff --stat -- clients/ >&2
    echo "run \`make clients\` and commit the result" >&2
    exit 1
  fi
  git diff --exit-code --quiet -- clients/
  echo "clients: up to date with openapi.yaml"
}

case "${1:-}" in
  generate) generate ;;
  build) build ;;
  check) check ;;
  *) echo "usage: $0 generate|build|check" >&2; exit 2 ;;
esac
