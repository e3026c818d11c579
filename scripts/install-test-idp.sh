#!/usr/bin/env bash
# Install the OpenID Connect provider the OIDC login test starts on loopback (tests/idp: the `oidc-provider`
# npm package, exact versions from tests/idp/package-lock.json). Idempotent; needs Node.js >= 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/../tests/idp"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "npm fehlt: Node.js >= 20 mit npm installieren (Debian: apt-get install nodejs npm)." >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt 20 ]; then
  echo "Node.js >= 20 wird gebraucht (gefunden: $(node --version 2>/dev/null || echo keins))." >&2
  exit 1
fi
stamp="node_modules/.kik-lock-$(sha1sum package-lock.json | cut -c1-12)"
if [ -f "$stamp" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
