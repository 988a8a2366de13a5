#!/usr/bin/env bash
# Installs @kubernetes/client-node 1.x (1.x runs on Node 20; 2.x needs Node >= 22) for the parity suite.
# Usage: install-node-client.sh [folder]   (default: $KUBESIM_NODE_CLIENT_DIR or ~/.cache/twisterlab/kubesim-node-client)
# The parity tests call this themselves when the folder has no client yet; .ci/run may call it first to fail early.
set -euo pipefail
dir="${1:-${KUBESIM_NODE_CLIENT_DIR:-$HOME/.cache/twisterlab/kubesim-node-client}}"
if [ -f "$dir/node_modules/@kubernetes/client-node/package.json" ]; then exit 0; fi
command -v node >/dev/null || { echo "install-node-client: node is not installed" >&2; exit 2; }
command -v npm >/dev/null || { echo "install-node-client: npm is not installed" >&2; exit 2; }
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{ "name": "kubesim-parity-node-client", "private": true }\n' > package.json
npm install --no-audit --no-fund --silent '@kubernetes/client-node@1' >&2
