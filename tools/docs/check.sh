#!/usr/bin/env bash
# `make docs-check`: the built reference in headless Chromium (tools/docs/check.mjs). Installs
# Debian's chromium first where /usr/bin/chromium is missing (CI machines start fresh).
set -euo pipefail
cd "$(dirname "$0")/../.."
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "docs-check: installing Debian's chromium (apt-get)..."
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  # The machine's DejaVu fonts are enough for the page; no recommends (audio, GL, ...).
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core >/dev/null
fi
CHROMIUM="$CHROMIUM" node tools/docs/check.mjs target/docs/index.html openapi.yaml
