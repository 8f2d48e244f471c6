#!/bin/sh
# Probes of a Redis node, authenticated as the read-only monitor user.
#   liveness:  the server answers PING (LOADING counts as alive).
#   readiness: it answers PING, and a replica has a live link to its master.
set -u
. "$(dirname "$0")/common.sh"

answer=$(cli_as monitor "$POD_IP" "$REDIS_PORT" PING 2>&1)
case "$1" in
  liveness)
    case "$answer" in PONG | *LOADING*) exit 0 ;; esac
    echo "PING: $answer"
    exit 1
    ;;
  readiness)
    [ "$answer" = PONG ] || { echo "PING: $answer"; exit 1; }
    info=$(cli_as monitor "$POD_IP" "$REDIS_PORT" INFO replication | tr -d '\r')
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
