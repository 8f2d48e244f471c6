#!/bin/sh
# Health check of the session store, as an application sees it (helm test runs it; an operator runs the
# same file from any client pod, docs/runbook.md "Health check"). POSIX sh and redis-cli only.
#
# Environment: the client contract (the <fullname>-client ConfigMap, envFrom) and the passwords an app
# takes from its Secret (docs/client-contract.md):
#   REDIS_MODE, REDIS_HOST, REDIS_PORT (standalone, or the master endpoint), REDIS_SENTINELS,
#   REDIS_MASTER_NAME, REDIS_SENTINEL_USERNAME, REDIS_USERNAME, REDIS_SESSIONS_DB, REDIS_KEY_PREFIX,
#   REDIS_CACHE_USERNAME, REDIS_CACHE_DB, REDIS_CACHE_KEY_PREFIX, REDIS_TLS,
#   REDIS_PASSWORD, REDIS_CACHE_PASSWORD, REDIS_SENTINEL_PASSWORD, REDIS_TLS_CA_FILE (TLS only).
# Where this release's Sentinel pods are (filled in by npm run synth; set them to check another layout):
#   SENTINEL_HOST_PATTERN (printf pattern of the pod ordinal), SENTINEL_NODES.
# HEALTH_CHECK_TIMEOUT_SECONDS: bound of each redis-cli call (default 5).
# HEALTH_CHECK_CONNECT_SECONDS: how long the first address may refuse connections (default 30).
#
# Checks: TLS verifies with the client CA; every Sentinel names the same master, which reports role
# master; the master endpoint routes to that master; the app user writes, reads and expires a session
# in its database, the cache user a cache entry in its own. Prints one line per check, "ok ..." or
# "FAIL ...", never a password (they travel in REDISCLI_AUTH), and exits 1 when a check failed.
set -u

SENTINEL_HOST_PATTERN=${SENTINEL_HOST_PATTERN:-@@sentinelHostPattern@@}
SENTINEL_NODES=${SENTINEL_NODES:-@@redis.sentinel.replicas@@}
TIMEOUT=${HEALTH_CHECK_TIMEOUT_SECONDS:-5}
# In the contract in standalone mode and with the master endpoint (REDIS_URL); empty: no such address.
REDIS_HOST=${REDIS_HOST:-} REDIS_PORT=${REDIS_PORT:-6379}
failed=0
checks=0

ok() {
  checks=$((checks + 1))
  echo "ok   $*"
}

fail() {
  checks=$((checks + 1))
  failed=$((failed + 1))
  echo "FAIL $*"
}

# redis-cli as a user of the contract; the password travels in the environment, never in argv.
# Usage: ask <user> <password> <host> <port> [-n <db>] <command...>; prints the reply and any error.
ask() {
  user=$1 password=$2 host=$3 port=$4
  shift 4
  db=""
  if [ "$1" = -n ]; then
    db=$2
    shift 2
  fi
  if [ "${REDIS_TLS:-false}" = true ]; then
    tls_ca=${REDIS_TLS_CA_FILE:-}
    REDISCLI_AUTH=$password timeout "$TIMEOUT" redis-cli --no-auth-warning --tls --cacert "$tls_ca" --user "$user" -h "$host" -p "$port" ${db:+-n "$db"} "$@" 2>&1
  else
    REDISCLI_AUTH=$password timeout "$TIMEOUT" redis-cli --no-auth-warning --user "$user" -h "$host" -p "$port" ${db:+-n "$db"} "$@" 2>&1
  fi
}

# True when a reply is an error (redis-cli prints error replies and connection failures as text).
is_error() {
  case "$1" in
    "" | ERR* | *WRONGPASS* | *NOAUTH* | *NOPERM* | *READONLY* | *NOREPLICAS* | *LOADING* | *MASTERDOWN* | *"Could not connect"* | *"AUTH failed"* | *"Error:"* | *SSL* | *"certificate verify"*) return 0 ;;
  esac
  return 1
}

one_line() {
  tr '\n' ' ' | sed 's/ *$//'
}

# TLS: the first server of the contract answers over TLS, verified with the CA file apps mount. No
# login here (a wrong password is the other checks' finding): NOAUTH is an answer over a verified channel.
check_tls() {
  [ "${REDIS_TLS:-false}" = true ] || return 0
  if [ ! -r "${REDIS_TLS_CA_FILE:-}" ]; then
    fail "tls: REDIS_TLS=true but the CA file REDIS_TLS_CA_FILE='${REDIS_TLS_CA_FILE:-}' is not readable (mount ca.crt of REDIS_TLS_CA_SECRET)"
    return 1
  fi
  if [ "$REDIS_MODE" = sentinel ]; then
    target=${REDIS_SENTINELS%%,*}
  else
    target=$REDIS_HOST:$REDIS_PORT
  fi
  reply=$(timeout "$TIMEOUT" redis-cli --tls --cacert "$REDIS_TLS_CA_FILE" -h "${target%:*}" -p "${target##*:}" PING 2>&1 | one_line)
  case "$reply" in
    PONG | NOAUTH*)
      ok "tls: $target verified with the CA $REDIS_TLS_CA_FILE"
      ;;
    *)
      fail "tls: $target did not answer over TLS verified with the CA $REDIS_TLS_CA_FILE: ${reply:-no answer}"
      return 1
      ;;
  esac
}

# Every Sentinel pod names the same master, and so does the Sentinel Service of the contract.
# Sets master_host and master_port.
check_sentinels() {
  master_host="" master_port="" views=""
  agreed=true
  i=0
  while [ "$i" -lt "$SENTINEL_NODES" ]; do
    # shellcheck disable=SC2059 # the pattern is the format: <sentinel>-%d.<headless>...
    host=$(printf "$SENTINEL_HOST_PATTERN" "$i")
    reply=$(ask "$REDIS_SENTINEL_USERNAME" "$REDIS_SENTINEL_PASSWORD" "$host" "${REDIS_SENTINELS##*:}" SENTINEL get-master-addr-by-name "$REDIS_MASTER_NAME" | one_line)
    if is_error "$reply" || [ "$(echo "$reply" | wc -w)" -ne 2 ]; then
      fail "sentinels: sentinel $i ($host) names no master for $REDIS_MASTER_NAME: ${reply:-no answer}"
      agreed=false
    else
      addr=$(echo "$reply" | tr ' ' ':')
      views="$views sentinel-$i=$addr"
      if [ -z "$master_host" ]; then
        master_host=${addr%:*} master_port=${addr##*:}
      elif [ "$addr" != "$master_host:$master_port" ]; then
        agreed=false
      fi
    fi
    i=$((i + 1))
  done
  if [ -z "$master_host" ]; then
    return 1
  fi
  if [ "$agreed" != true ]; then
    fail "sentinels: the Sentinels disagree on the master of $REDIS_MASTER_NAME:$views"
    master_host="" master_port=""
    return 1
  fi
  reply=$(ask "$REDIS_SENTINEL_USERNAME" "$REDIS_SENTINEL_PASSWORD" "${REDIS_SENTINELS%:*}" "${REDIS_SENTINELS##*:}" SENTINEL get-master-addr-by-name "$REDIS_MASTER_NAME" | one_line | tr ' ' ':')
  if [ "$reply" != "$master_host:$master_port" ]; then
    fail "sentinels: the Sentinel Service $REDIS_SENTINELS names ${reply:-no master}, the Sentinel pods $master_host:$master_port"
    return 1
  fi
  ok "sentinels: all $SENTINEL_NODES Sentinels and the Service $REDIS_SENTINELS name $master_host:$master_port as master of $REDIS_MASTER_NAME"
}

# The node a contract address leads to reports role master (as the app user); sets run_id.
# Usage: master_at <check> <host> <port>
master_at() {
  run_id=""
  role=$(ask "$REDIS_USERNAME" "$REDIS_PASSWORD" "$2" "$3" ROLE | head -n 1)
  if [ "$role" != master ]; then
    fail "$1: $2:$3 reports role '${role:-no answer}', not master"
    return 1
  fi
  run_id=$(ask "$REDIS_USERNAME" "$REDIS_PASSWORD" "$2" "$3" INFO server | sed -n 's/^run_id:\([0-9a-f]*\).*/\1/p')
}

# A user of the contract writes, reads and expires a key in its database.
# Usage: check_data <check> <user> <password> <host> <port> <db> <key>
check_data() {
  what=$1 user=$2 password=$3 host=$4 port=$5 db=$6 key=$7
  marker="health-check-$$-$(date +%s)"
  reply=$(ask "$user" "$password" "$host" "$port" -n "$db" SET "$key" "$marker" EX 60 | one_line)
  if [ "$reply" != OK ]; then
    fail "$what: user $user could not write $key in DB $db on $host:$port: $reply"
    return 1
  fi
  reply=$(ask "$user" "$password" "$host" "$port" -n "$db" GET "$key" | one_line)
  if [ "$reply" != "$marker" ]; then
    fail "$what: user $user read back '$reply' from $key in DB $db, not what it wrote"
    return 1
  fi
  ttl=$(ask "$user" "$password" "$host" "$port" -n "$db" TTL "$key" | one_line)
  case "$ttl" in
    "" | *[!0-9]*) fail "$what: TTL of $key in DB $db is '$ttl', not the 60 s it was written with"; return 1 ;;
  esac
  if [ "$ttl" -lt 1 ] || [ "$ttl" -gt 60 ]; then
    fail "$what: TTL of $key in DB $db is $ttl, not within the 60 s it was written with"
    return 1
  fi
  reply=$(ask "$user" "$password" "$host" "$port" -n "$db" PEXPIRE "$key" 1 | one_line)
  if [ "$reply" != 1 ]; then
    fail "$what: user $user could not expire $key in DB $db: $reply"
    return 1
  fi
  sleep 1
  reply=$(ask "$user" "$password" "$host" "$port" -n "$db" EXISTS "$key" | one_line)
  if [ "$reply" != 0 ]; then
    fail "$what: $key in DB $db still exists after it expired: $reply"
    return 1
  fi
  ok "$what: user $user wrote, read and expired $key in DB $db on $host:$port"
}

# A new pod's first connections can be refused for a moment: a NetworkPolicy implementation admits its
# address only once it has seen the pod (kube-router: up to a few seconds). Wait until the first address
# of the contract takes connections (any reply will do; the checks judge it), then check.
wait_reachable() {
  if [ "$REDIS_MODE" = sentinel ]; then
    target=${REDIS_SENTINELS%%,*}
  else
    target=$REDIS_HOST:$REDIS_PORT
  fi
  tls=""
  if [ "${REDIS_TLS:-false}" = true ]; then tls="--tls --insecure"; fi
  started=$(date +%s)
  while :; do
    # shellcheck disable=SC2086 # tls: two options or none
    reply=$(timeout "$TIMEOUT" redis-cli $tls -h "${target%:*}" -p "${target##*:}" PING 2>&1 | one_line)
    case "$reply" in
      "" | *"Could not connect"* | *"Connection refused"* | *"No route to host"*) ;;
      *)
        waited=$(($(date +%s) - started))
        if [ "$waited" -gt 0 ]; then echo "     ($target took connections after ${waited}s)"; fi
        return 0
        ;;
    esac
    if [ $(($(date +%s) - started)) -ge "${HEALTH_CHECK_CONNECT_SECONDS:-30}" ]; then return 0; fi
    sleep 1
  done
}

echo "session-database health check ($REDIS_MODE mode, TLS ${REDIS_TLS:-false})"
wait_reachable
data_host="" data_port=""
if ! check_tls; then
  :
elif [ "$REDIS_MODE" = sentinel ]; then
  if check_sentinels && master_at master "$master_host" "$master_port"; then
    master_id=$run_id
    ok "master: $master_host:$master_port reports role master"
    data_host=$master_host data_port=$master_port
    if [ -n "$REDIS_HOST" ] && master_at "master endpoint" "$REDIS_HOST" "$REDIS_PORT"; then
      if [ -n "$master_id" ] && [ "$run_id" = "$master_id" ]; then
        ok "master endpoint: $REDIS_HOST:$REDIS_PORT routes to the master $master_host:$master_port (run_id $master_id)"
        # Apps given REDIS_URL write through the endpoint: so does the check.
        data_host=$REDIS_HOST data_port=$REDIS_PORT
      else
        fail "master endpoint: $REDIS_HOST:$REDIS_PORT routes to the node with run_id '$run_id', but the master $master_host:$master_port has run_id '$master_id'"
      fi
    fi
  fi
elif master_at master "$REDIS_HOST" "$REDIS_PORT"; then
  ok "master: $REDIS_HOST:$REDIS_PORT reports role master"
  data_host=$REDIS_HOST data_port=$REDIS_PORT
fi
if [ -n "$data_host" ]; then
  # shellcheck disable=SC3028 # HOSTNAME: the pod name, which Kubernetes sets in every container's environment
  id=${HOSTNAME:-$$}
  check_data sessions "$REDIS_USERNAME" "$REDIS_PASSWORD" "$data_host" "$data_port" "$REDIS_SESSIONS_DB" "${REDIS_KEY_PREFIX}health-check:$id"
  check_data cache "$REDIS_CACHE_USERNAME" "$REDIS_CACHE_PASSWORD" "$data_host" "$data_port" "$REDIS_CACHE_DB" "${REDIS_CACHE_KEY_PREFIX}health-check:$id"
else
  fail "data: no master to write to; the session and cache checks did not run"
fi

if [ "$failed" -gt 0 ]; then
  echo "health check FAILED: $failed of $checks checks failed"
  exit 1
fi
echo "health check passed: $checks checks"
