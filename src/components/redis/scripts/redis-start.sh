#!/bin/sh
# Start a Redis node. In sentinel mode the node never decides alone who is master:
#  1. a sentinel knows the master      -> replicate from it (or, if it names this
#     node while a replica is alive, wait for the failover that replica makes safe:
#     coming back as master after a crash would make the replicas drop acknowledged
#     writes the crash lost from our AOF);
#  2. no sentinel knows, a peer is master -> replicate from it;
#  3. nothing known and this is pod 0 on an empty data dir (first boot) -> master;
#  4. otherwise wait: a node with data never makes itself master.
set -eu
. "$(dirname "$0")/common.sh"

mkdir -p "$RUNTIME_DIR" "$DATA_DIR"
conf="$RUNTIME_DIR/redis.conf"
wait_limit=${STARTUP_WAIT_SECONDS:-600}
failover_wait=${FAILOVER_WAIT_SECONDS:-30}
self=$ANNOUNCE_HOST
marker="$DATA_DIR/.session-database-initialized"

write_config() {
  role_file=$1
  master=${2:-}
  render_acl "$CONFIG_TEMPLATE_DIR/users.acl" > "$RUNTIME_DIR/users.acl"
  {
    cat "$CONFIG_TEMPLATE_DIR/redis.conf"
    cat "$CONFIG_TEMPLATE_DIR/$role_file"
    echo "bind $POD_IP"
    echo "dir $DATA_DIR"
    echo "aclfile $RUNTIME_DIR/users.acl"
    echo "replica-announce-ip $self"
    echo "replica-announce-port $REDIS_PORT"
    tls_server_config "$REDIS_PORT"
    echo "masteruser replication"
    echo "masterauth \"$(secret replication)\""
    if [ "$REDIS_MODE" = standalone ]; then
      echo "min-replicas-to-write 0"
    fi
    if [ -n "$master" ]; then
      echo "replicaof $master $REDIS_PORT"
    fi
  } > "$conf"
  chmod 600 "$conf" "$RUNTIME_DIR/users.acl"
  touch "$marker"
}

start_master() {
  log "starting as master ($1)"
  write_config redis-master.conf
  exec redis-server "$conf"
}

start_replica() {
  log "starting as replica of $1 ($2)"
  write_config redis-replica.conf "$1"
  exec redis-server "$conf"
}

if [ "$REDIS_MODE" = standalone ]; then
  start_master "standalone mode"
fi

started=$(date +%s)
named_self_since=""
while :; do
  now=$(date +%s)
  master=$(sentinel_master_addr || true)
  if [ -n "$master" ] && [ "$master" != "$self" ]; then
    start_replica "$master" "named by the sentinels"
  fi
  if [ "$master" = "$self" ]; then
    if ! peer_alive; then
      start_master "named by the sentinels, no replica alive"
    fi
    named_self_since=${named_self_since:-$now}
    if [ $((now - named_self_since)) -ge "$failover_wait" ]; then
      start_master "still named by the sentinels after ${failover_wait}s"
    fi
    log "sentinels still name this node master; waiting for them to promote a replica"
  elif [ -z "$master" ]; then
    peer=$(peer_master || true)
    if [ -n "$peer" ]; then
      start_replica "$peer" "no sentinel knows a master; peer reports master"
    fi
    if [ "$(ordinal)" = 0 ] && [ ! -e "$marker" ]; then
      start_master "first boot of pod 0, no master known"
    fi
    log "no master known yet; waiting for the sentinels"
  fi
  if [ $((now - started)) -ge "$wait_limit" ]; then
    log "no master after ${wait_limit}s; exiting so the pod restarts and the problem shows"
    exit 1
  fi
  sleep "${POLL_SECONDS:-1}"
done
