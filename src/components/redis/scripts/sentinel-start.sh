#!/bin/sh
# Start a Sentinel. Every sentinel must monitor the same master:
#  1. its own saved state (DATA_DIR/sentinel.conf, rewritten by Sentinel itself),
#  2. else what another sentinel knows,
#  3. else the Redis node that reports role master,
#  4. else pod 0 of the Redis StatefulSet (first boot).
set -eu
. "$(dirname "$0")/common.sh"

mkdir -p "$DATA_DIR"
conf="$DATA_DIR/sentinel.conf"
state="$DATA_DIR/sentinel.state"

master=""
if [ -s "$conf" ]; then
  master=$(sed -n "s/^sentinel monitor $MASTER_NAME \([^ ]*\) .*/\1/p" "$conf" | head -n 1)
  grep -E "^sentinel (myid|current-epoch|config-epoch $MASTER_NAME|leader-epoch $MASTER_NAME|known-replica $MASTER_NAME|known-sentinel $MASTER_NAME) " "$conf" > "$state" || true
  [ -n "$master" ] && log "monitoring $master from saved state"
fi
if [ -z "$master" ]; then
  : > "$state"
  master=$(sentinel_master_addr || true)
  [ -n "$master" ] && log "monitoring $master as the other sentinels do"
fi
if [ -z "$master" ]; then
  master=$(peer_master || true)
  [ -n "$master" ] && log "monitoring $master, which reports role master"
fi
if [ -z "$master" ]; then
  master=$(redis_host 0)
  log "monitoring $master (pod 0, first boot)"
fi

# resolve-hostnames needs the name to resolve before Sentinel accepts it
# (ahosts = getaddrinfo, as Sentinel resolves; it also accepts address literals).
tries=0
until getent ahosts "$master" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt "${RESOLVE_WAIT_SECONDS:-300}" ] || { log "cannot resolve $master"; exit 1; }
  sleep 1
done

render_acl "$CONFIG_TEMPLATE_DIR/sentinel-users.acl" > "$DATA_DIR/users.tmp"
{
  cat "$CONFIG_TEMPLATE_DIR/sentinel.conf"
  echo "bind $POD_IP"
  echo "dir $DATA_DIR"
  echo "sentinel announce-ip $ANNOUNCE_HOST"
  echo "sentinel announce-port $SENTINEL_PORT"
  tls_server_config "$SENTINEL_PORT"
  echo "sentinel monitor $MASTER_NAME $master $REDIS_PORT $QUORUM"
  cat "$CONFIG_TEMPLATE_DIR/sentinel-monitor.conf"
  echo "sentinel auth-pass $MASTER_NAME \"$(secret sentinel)\""
  echo "sentinel sentinel-pass \"$(secret sentinel)\""
  cat "$DATA_DIR/users.tmp"
  cat "$state"
} > "$conf.new"
rm -f "$DATA_DIR/users.tmp" "$state"
chmod 600 "$conf.new"
mv "$conf.new" "$conf"
exec redis-sentinel "$conf"
