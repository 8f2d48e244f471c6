#!/bin/sh
# Start of a master endpoint (HAProxy) pod: the config template plus one server line per Redis
# node (REDIS_NODES: the most the autoscaler may run), then HAProxy in the foreground.
# A pod that does not exist yet is a server without an address until the cluster DNS knows it.
set -eu

config="$RUNTIME_DIR/haproxy.cfg"
{
  cat "$CONFIG_TEMPLATE"
  i=0
  while [ "$i" -lt "$REDIS_NODES" ]; do
    # shellcheck disable=SC2059 # the pattern is the format: <redis>-%d.<headless>...
    host=$(printf "$REDIS_HOST_PATTERN" "$i")
    tls=""
    if [ "${TLS_ENABLED:-false}" = true ]; then
      # Verify the node's certificate (it names every pod: *.<headless>...) against the release CA.
      tls=" ssl verify required ca-file $TLS_DIR/ca.crt verifyhost $host sni str($host) check-sni $host"
    fi
    echo "  server redis-$i $host:$REDIS_PORT$tls"
    i=$((i + 1))
  done
  # Pod addresses change when a pod is recreated: ask the cluster DNS again.
  echo ""
  echo "resolvers cluster"
  echo "  parse-resolv-conf"
  echo "  hold valid 5s"
  echo "  hold obsolete 5s"
} >"$config"

exec haproxy -db -f "$config"
