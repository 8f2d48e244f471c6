#!/bin/sh
# preStop of a Redis node: a master hands mastership over before it stops.
#  1. Writes are paused (CLIENT PAUSE WRITE), so nothing is acknowledged that the new
#     master lacks.
#  2. Wait until the online replicas hold every write (master_repl_offset), as each
#     replica reports it.
#  3. Ask a sentinel for a failover (SENTINEL FAILOVER); it promotes the best replica.
#  4. As soon as the sentinels name the new master, follow it (REPLICAOF) and drop the
#     paused client connections, so clients reconnect through the sentinels at once; point
#     the other replicas at it too.
#     The sentinels would convert this node themselves, but their commands queue behind
#     the paused writes (PUBLISH is paused too), so they cannot.
# We return once this node is a replica, or after the handover time limit; writes are
# never left paused.
set -u
. "$(dirname "$0")/common.sh"

# The kubelet keeps no output of a preStop hook. In the container (redis-server is PID 1)
# the log goes to the server's own stderr, so `kubectl logs` shows the handover.
if [ "$(cat /proc/1/comm 2>/dev/null)" = redis-server ] && [ -w /proc/1/fd/2 ]; then
  exec 2>>/proc/1/fd/2
fi

[ "$REDIS_MODE" = sentinel ] || exit 0

# One field of a replica line of INFO replication (ip=…,port=…,state=…,offset=…,lag=…).
replica_field() {
  echo "$1" | sed -n "s/.*$2=\([^,]*\).*/\1/p"
}
role=$(cli_as sentinel "$POD_IP" "$REDIS_PORT" ROLE 2>/dev/null | head -n 1)
[ "$role" = master ] || exit 0

# Leave Redis 10 s of the grace period to save and exit after the handover.
limit=${HANDOVER_SECONDS:-$((${TERMINATION_GRACE_SECONDS:-40} - 10))}
catchup=${CATCHUP_SECONDS:-10}
pause_ms=$((limit * 1000))
started=$(date +%s)
deadline=$((started + limit))
cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT PAUSE "$pause_ms" WRITE >/dev/null

# Replicas must hold every write before one is promoted: wait for all online replicas
# (up to $catchup s), else settle for at least one. Each replica is asked for its own
# offset: the master's view of it comes from the acknowledgements a replica sends once a
# second (the master asks for them sooner only when writes are not paused), so it can lag
# a second behind a replica that already holds everything.
while [ "$(date +%s)" -lt "$deadline" ]; do
  info=$(cli_as sentinel "$POD_IP" "$REDIS_PORT" INFO replication | tr -d '\r')
  offset=$(echo "$info" | sed -n 's/^master_repl_offset://p')
  replicas=$(echo "$info" | grep '^slave[0-9]*:.*state=online' | sed 's/^slave[0-9]*://')
  synced=$(echo "$replicas" | grep -c . || true)
  # The replicas are asked at once, each in its own subshell.
  current=$(
    for replica in $replicas; do
      (
        acked=$(replica_field "$replica" offset)
        [ "${acked:-0}" -ge "$offset" ] && { echo current; exit 0; }
        held=$(cli_as sentinel "$(replica_field "$replica" ip)" "$(replica_field "$replica" port)" INFO replication 2>/dev/null | tr -d '\r' | sed -n 's/^slave_repl_offset://p')
        [ "${held:-0}" -ge "$offset" ] && echo current
      ) &
    done
    wait
  )
  current=$(echo "$current" | grep -c current || true)
  if [ "$synced" -gt 0 ] && [ "$current" -eq "$synced" ]; then
    log "writes paused; all $synced replicas hold offset $offset"
    break
  fi
  if [ "$current" -gt 0 ] && [ $(($(date +%s) - started)) -ge "$catchup" ]; then
    log "only $current of $synced replicas caught up after ${catchup}s; handing over anyway"
    break
  fi
  sleep 0.05
done

# Ask the sentinels in turn (one may answer INPROG or NOGOODSLAVE for a moment). If none
# accepts within $request_limit s, nobody will promote a replica: resume writes and let
# the pod stop as a master (the sentinels fail over after down-after-milliseconds).
request_limit=${FAILOVER_REQUEST_SECONDS:-5}
request_deadline=$(($(date +%s) + request_limit))
requested=""
while [ -z "$requested" ] && [ "$(date +%s)" -lt "$request_deadline" ]; do
  i=0
  while [ "$i" -lt "$SENTINEL_NODES" ]; do
    answer=$(cli_as sentinel "$(sentinel_host "$i")" "$SENTINEL_PORT" SENTINEL FAILOVER "$MASTER_NAME" 2>&1)
    if [ "$answer" = OK ]; then
      log "failover requested from sentinel $i"
      requested=$i
      break
    fi
    last_answer="sentinel $i: $answer"
    i=$((i + 1))
  done
  [ -n "$requested" ] || sleep 0.5
done
if [ -z "$requested" ]; then
  log "no sentinel accepted the failover (${last_answer:-no answer}); resuming writes without a handover"
  cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT UNPAUSE >/dev/null 2>&1 || true
  exit 0
fi

# The sentinel that runs the failover names the new master first; the others learn it
# from its hello messages a moment later.
while [ "$(date +%s)" -lt "$deadline" ]; do
  master=$(cli_as sentinel "$(sentinel_host "$requested")" "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | head -n 1)
  is_answer "$master" || master=$(sentinel_master_addr || true)
  if [ -n "$master" ] && [ "$master" != "$ANNOUNCE_HOST" ]; then
    cli_as sentinel "$POD_IP" "$REDIS_PORT" REPLICAOF "$master" "$REDIS_PORT" >/dev/null
    cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT KILL TYPE normal >/dev/null 2>&1 || true
    cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT UNPAUSE >/dev/null 2>&1 || true
    # Our other replicas follow the new master now, as the sentinels would once their link to
    # each is up: one the StatefulSet has just recreated can take them seconds to reach, and
    # once this node stops the new master refuses writes until a replica is attached
    # (min-replicas-to-write).
    for replica in $replicas; do
      if [ "$(replica_field "$replica" ip)" != "$master" ]; then
        cli_as sentinel "$(replica_field "$replica" ip)" "$(replica_field "$replica" port)" REPLICAOF "$master" "$REDIS_PORT" >/dev/null 2>&1 &
      fi
    done
    wait
    log "mastership handed over to $master"
    exit 0
  fi
  role=$(cli_as sentinel "$POD_IP" "$REDIS_PORT" ROLE 2>/dev/null | head -n 1)
  if [ "$role" != master ]; then
    cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT UNPAUSE >/dev/null 2>&1 || true
    log "mastership handed over"
    exit 0
  fi
  sleep 0.05
done
log "handover did not finish in ${limit}s"
cli_as sentinel "$POD_IP" "$REDIS_PORT" CLIENT UNPAUSE >/dev/null 2>&1 || true
exit 0
