#!/bin/sh
# The synth drift check of the pre-commit hooks: a fresh `npm run synth` must leave the committed
# outputs as they are (test/drift.test.ts checks the same in memory).
set -eu
cd "$(dirname "$0")/../.."
set -- dist charts/session-database argocd
fingerprint() {
  find "$@" -type f | LC_ALL=C sort | xargs sha256sum | sha256sum
}
before=$(fingerprint "$@")
npm run --silent synth >/dev/null
if [ "$(fingerprint "$@")" != "$before" ]; then
  echo "npm run synth changed the outputs: commit what it wrote (dist/, charts/session-database/, argocd/)" >&2
  git --no-pager diff --stat -- "$@" >&2
  git status --short -- "$@" >&2
  exit 1
fi
