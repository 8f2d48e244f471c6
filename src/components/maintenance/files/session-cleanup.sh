#!/bin/sh
# Session cleanup: drops index entries of expired sessions and refresh tokens and
# evicts the oldest beyond the per-user limits, batch by batch on the master, as the
# cleanup ACL user. Safe to run twice at once (every batch is one atomic, idempotent
# Lua call). Prints one summary line.
#   KEY_PREFIX, SESSIONS_DB, BATCH_SIZE, MAX_SESSIONS_PER_USER, MAX_REFRESH_TOKENS_PER_USER
set -eu
dir=$(dirname "$0")
. "$dir/common.sh"
. "$dir/maintenance.sh"

started=$(now_ms)
connect_master cleanup "$SESSIONS_DB" "$dir/session-cleanup.lua"

cursor=0 batches=0 indexes=0 entries=0 removed=0 evicted_sessions=0 evicted_refresh=0
while :; do
  call EVALSHA "$sha" 0 "$cursor" "$KEY_PREFIX" "$BATCH_SIZE" "$MAX_SESSIONS_PER_USER" "$MAX_REFRESH_TOKENS_PER_USER"
  # shellcheck disable=SC2086 # the reply line holds numbers, split into fields
  set -- $reply
  if [ $# -ne 6 ] || ! numbers "$@"; then
    fail "batch $batches on $host:$port failed: $reply"
  fi
  cursor=$1
  batches=$((batches + 1))
  indexes=$((indexes + $2))
  entries=$((entries + $3))
  removed=$((removed + $4))
  evicted_sessions=$((evicted_sessions + $5))
  evicted_refresh=$((evicted_refresh + $6))
  [ "$cursor" != 0 ] || break
done

echo "session-cleanup: scanned=$entries removed=$((removed + evicted_sessions + evicted_refresh)) expired_entries=$removed evicted_sessions=$evicted_sessions evicted_refresh_tokens=$evicted_refresh indexes=$indexes batches=$batches master=$host:$port duration_ms=$(($(now_ms) - started))"
