#!/bin/sh
# Probes of a Sentinel, authenticated as the read-only monitor user.
#   liveness:  the sentinel answers PING.
#   readiness: it knows the master.
# One redis-cli call per probe, bounded below the probe's timeoutSeconds (see
# redis-probe.sh).
set -u
CLI_TIMEOUT_SECONDS=${PROBE_CLI_TIMEOUT_SECONDS:-2}
. "$(dirname "$0")/common.sh"

if [ "${1:-}" = readiness ]; then
  addr=$(cli_as monitor "$POD_IP" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>&1 | head -n 1)
  is_answer "$addr" || { echo "no master known: ${addr:-no answer}"; exit 1; }
  exit 0
fi
answer=$(cli_as monitor "$POD_IP" "$SENTINEL_PORT" PING 2>&1)
[ "$answer" = PONG ] || { echo "PING: $answer"; exit 1; }
exit 0
