#!/bin/sh
# Runs a pinned tool of the hooks (scripts/precommit/tools.ts): `npm run precommit` and the CI test
# pass its folder in SESSION_DATABASE_PRECOMMIT_BIN; a git commit hook asks tools.ts (warm: no install).
set -eu
bin=${SESSION_DATABASE_PRECOMMIT_BIN:-}
if [ -z "$bin" ]; then
  bin=$(cd "$(dirname "$0")/../.." && npx --no-install tsx scripts/precommit/tools.ts)
fi
PATH="$bin:$PATH"
export PATH
exec "$@"
