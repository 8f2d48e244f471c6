#!/bin/sh
# preStop of a Redis node: a master hands mastership over before it stops.
# Writes are paused first so nothing is acknowledged that the new master lacks,
# then a sentinel promotes a replica; we return once this node is a replica.
set -u
. "$(dirname "$0")/common.sh"

[ "$REDIS_MODE" = sentinel ] || exit 0
role=$(cli_as sentinel "$POD_IP" "$REDIS_PORT" ROLE 2>/dev/null | head -n 1)
[ "$role" = master ] || exit 0

# Leave Redis 10 s of the grace period to save and exit after the handover.
limit=${HANDOVER_SECONDS:-$((${TERMINATION_GRACE_SECONDS:-40} - 10))}
pause_ms=$((limit * 1000))
cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT PAUSE "$pause_ms" WRITE >/dev/null

# Replicas must hold every write before one is promoted.
deadline=$(($(date +%s) + limit))
while [ "$(date +%s)" -lt "$deadline" ]; do
  info=$(cli_as sentinel "$POD_IP" "$REDIS_PORT" INFO replication | tr -d '\r')
  offset=$(echo "$info" | sed -n 's/^master_repl_offset://p')
  behind=$(echo "$info" | grep '^slave[0-9]*:' | sed 's/.*offset=\([0-9]*\).*/\1/' | awk -v o="$offset" '$1 < o' | wc -l)
  synced=$(echo "$info" | grep -c '^slave[0-9]*:.*state=online' || true)
  if [ "$synced" -gt 0 ] && [ "$behind" -lt "$synced" ]; then
    break
  fi
  sleep 0.1
done

i=0
while [ "$i" -lt "$SENTINEL_NODES" ]; do
  if cli_as sentinel "$(sentinel_host "$i")" "$SENTINEL_PORT" SENTINEL FAILOVER "$MASTER_NAME" 2>/dev/null | grep -q OK; then
    log "failover requested from sentinel $i"
    break
  fi
  i=$((i + 1))
done

while [ "$(date +%s)" -lt "$deadline" ]; do
  role=$(cli_as sentinel "$POD_IP" "$REDIS_PORT" ROLE 2>/dev/null | head -n 1)
  if [ "$role" != master ]; then
    log "mastership handed over"
    cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT UNPAUSE >/dev/null 2>&1 || true
    exit 0
  fi
  sleep 0.2
done
log "handover did not finish in ${limit}s"
cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT UNPAUSE >/dev/null 2>&1 || true
exit 0
