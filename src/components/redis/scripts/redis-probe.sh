#!/bin/sh
# Probes of a Redis node, authenticated as the read-only monitor user.
#   liveness:  the server answers PING (LOADING counts as alive).
#   readiness: it answers INFO with its data loaded, and a replica has a live link to its
#              master.
# One redis-cli call per probe, bounded below the probe's timeoutSeconds (3 s for
# readiness): a probe the kubelet kills leaves its redis-cli behind, and the orphan ends
# as a zombie of PID 1 (redis-server does not reap children it did not start).
set -u
CLI_TIMEOUT_SECONDS=${PROBE_CLI_TIMEOUT_SECONDS:-2}
. "$(dirname "$0")/common.sh"

case "${1:-}" in
  liveness)
    answer=$(cli_as monitor "$POD_IP" "$REDIS_PORT" PING 2>&1)
    case "$answer" in PONG | *LOADING*) exit 0 ;; esac
    echo "PING: $answer"
    exit 1
    ;;
  readiness)
    info=$(cli_as monitor "$POD_IP" "$REDIS_PORT" INFO replication persistence 2>&1 | tr -d '\r')
    echo "$info" | grep -q '^loading:0' || { echo "INFO: $(echo "$info" | grep -m 1 -v '^#\|^$' || echo 'no answer')"; exit 1; }
    case "$info" in
      *role:slave*)
        echo "$info" | grep -q '^master_link_status:up' || { echo "replica link to master down"; exit 1; }
        echo "$info" | grep -q '^master_sync_in_progress:0' || { echo "replica sync in progress"; exit 1; }
        ;;
    esac
    exit 0
    ;;
  *)
    echo "usage: $0 liveness|readiness" >&2
    exit 2
    ;;
esac
