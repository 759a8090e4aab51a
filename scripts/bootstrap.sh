#!/usr/bin/env bash
# First-run setup shared by `npm run demo` and `npm test`: install the locked npm
# dependencies when they are missing or stale, then compile the TypeScript.
# The control plane's Go build happens later, on first use, with its own progress.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
echo "Compiling TypeScript…" >&2
rm -rf dist
npx --no-install tsc -p tsconfig.json
