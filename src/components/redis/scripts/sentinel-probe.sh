#!/bin/sh
# Probes of a Sentinel, authenticated as the read-only monitor user.
#   liveness:  the sentinel answers PING.
#   readiness: it answers PING and knows the master.
set -u
. "$(dirname "$0")/common.sh"

answer=$(cli_as monitor "$POD_IP" "$SENTINEL_PORT" PING 2>&1)
[ "$answer" = PONG ] || { echo "PING: $answer"; exit 1; }
if [ "${1:-}" = readiness ]; then
  addr=$(cli_as monitor "$POD_IP" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>&1 | head -n 1)
  [ -n "$addr" ] || { echo "no master known"; exit 1; }
fi
exit 0
