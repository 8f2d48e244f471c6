#!/bin/sh
# Cache cleanup on the cache database, as the cleanup ACL user (the cache user the
# services hold runs no Lua unless auth.cacheUserScripting): drops index entries whose cache key expired and evicts the least
# recently used entries beyond MAX_ENTRIES_PER_SERVICE, BATCH_SIZE members per call.
# Prints one summary line.
#   CACHE_DB, BATCH_SIZE, MAX_ENTRIES_PER_SERVICE
set -eu
dir=$(dirname "$0")
. "$dir/common.sh"
. "$dir/maintenance.sh"

started=$(now_ms)
connect_master cleanup "$CACHE_DB" "$dir/cache-cleanup.lua"

# The service indexes (SCAN may repeat a key; sort -u drops repeats).
# shellcheck disable=SC2046 # tls_cli_options prints separate redis-cli options
REDISCLI_AUTH=$(secret cleanup) redis-cli --no-auth-warning $(tls_cli_options) --user cleanup -h "$host" -p "$port" -n "$CACHE_DB" \
  --scan --pattern 'cache_index:*' >"$work/scan" 2>&1 || fail "SCAN of the cache indexes failed: $(head -n 3 "$work/scan")"
if grep -q -e '^ERR' -e '^NOPERM' -e '^NOAUTH' -e '^WRONGPASS' "$work/scan"; then
  fail "SCAN of the cache indexes failed: $(head -n 3 "$work/scan")"
fi
sort -u "$work/scan" >"$work/indexes"

services=0 checked=0 removed=0 evicted=0 skipped=0
while IFS= read -r index; do
  service=${index#cache_index:}
  case "$service" in
    "" | *[!A-Za-z0-9_.-]*)
      log "skipping $index: service names are letters, digits, '.', '_' and '-' (docs/key-contract.md)"
      skipped=$((skipped + 1))
      continue
      ;;
  esac
  services=$((services + 1))
  offset=0
  while [ "$offset" -ge 0 ]; do
    call EVALSHA "$sha" 1 "$index" sweep "$offset" "$BATCH_SIZE" "cache:$service:" "$MAX_ENTRIES_PER_SERVICE"
    # shellcheck disable=SC2086 # the reply line holds numbers, split into fields
    set -- $reply
    { [ $# -eq 3 ] && numbers "$@"; } || fail "sweep of $index failed: $reply"
    offset=$1 checked=$((checked + $2)) removed=$((removed + $3))
  done
  while :; do
    call EVALSHA "$sha" 1 "$index" evict 0 "$BATCH_SIZE" "cache:$service:" "$MAX_ENTRIES_PER_SERVICE"
    # shellcheck disable=SC2086 # the reply line holds numbers, split into fields
    set -- $reply
    { [ $# -eq 3 ] && numbers "$@"; } || fail "eviction in $index failed: $reply"
    evicted=$((evicted + $1)) removed=$((removed + $2))
    [ "$3" -gt 0 ] || break
  done
done <"$work/indexes"

echo "cache-cleanup: services=$services scanned=$checked removed=$((removed + evicted)) expired_entries=$removed evicted=$evicted skipped_indexes=$skipped master=$host:$port duration_ms=$(($(now_ms) - started))"
