# shellcheck shell=sh
# Shared by the maintenance jobs (sourced after common.sh, POSIX sh).
# Environment (set by the CronJobs, or by a test to fixture values):
#   REDIS_MODE, MASTER_NAME, REDIS_SERVICE_HOST, REDIS_PORT, SENTINEL_HOST_PATTERN,
#   SENTINEL_NODES, SENTINEL_PORT, SECRETS_DIR, TLS_ENABLED, TLS_DIR, DISCOVERY_USER (the sentinel ACL user
#   that may only discover the master and replicas), DISCOVERY_TIMEOUT_SECONDS (how long to keep asking, 30).

now_ms() {
  ms=$(date +%s%3N 2>/dev/null)
  case "$ms" in
    *[!0-9]*|"") echo "$(($(date +%s) * 1000))" ;;
    *) echo "$ms" ;;
  esac
}

fail() {
  log "$*"
  exit 1
}

# The jobs discover the master and replicas as the read-only monitor user (common.sh: ask_sentinels).
DISCOVERY_USER=${DISCOVERY_USER:-monitor}

# "host port" of the master: the sentinels know it; standalone uses the Redis Service.
find_master() {
  if [ "$REDIS_MODE" = sentinel ]; then
    ask_sentinels get-master-addr-by-name "$MASTER_NAME" | tr '\n' ' ' | awk 'NF == 2 { print $1, $2; ok = 1 } END { exit !ok }'
  else
    echo "$REDIS_SERVICE_HOST $REDIS_PORT"
  fi
}

# Runs a discovery function (find_master, find_replica) until it answers or DISCOVERY_TIMEOUT_SECONDS pass:
# the Sentinels can be out of reach for seconds during a failover, and a new job pod for the seconds before
# the NetworkPolicy implementation admits its address (seen with kube-router on the real node).
# Usage: discover <function>
discover() {
  deadline=$(($(date +%s) + ${DISCOVERY_TIMEOUT_SECONDS:-30}))
  until "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 1
  done
}

# "host port" of a healthy replica (link to the master up, not down or disconnected);
# standalone has no replica, so the only node is used.
find_replica() {
  if [ "$REDIS_MODE" = sentinel ]; then
    # The raw reply is one field name and one value per line, replica after replica.
    ask_sentinels replicas "$MASTER_NAME" | awk '
      function done() {
        if (ip != "" && flags !~ /(s_down|o_down|disconnected)/ && link == "ok" && !found) { print ip, port; found = 1 }
        ip = ""; port = ""; flags = ""; link = ""
      }
      NR % 2 == 1 { field = $0; next }
      field == "name" { done() }
      field == "ip" { ip = $0 }
      field == "port" { port = $0 }
      field == "flags" { flags = $0 }
      field == "master-link-status" { link = $0 }
      END { done(); exit !found }'
  else
    echo "$REDIS_SERVICE_HOST $REDIS_PORT"
  fi
}

# Connect to the master as <user> on <db> with <lua> loaded: sets host, port and sha.
# Usage: connect_master <user> <db> <lua>
connect_master() {
  addr=$(discover find_master) || fail "no master: no sentinel answered get-master-addr-by-name $MASTER_NAME within ${DISCOVERY_TIMEOUT_SECONDS:-30}s"
  host=${addr%% *} port=${addr##* }
  sha=$(load_script "$1" "$host" "$port" "$3")
  open_cli "$1" "$host" "$port" "$2"
}

# A long-lived redis-cli: commands go in on fd 3, one reply line per command comes
# back on fd 4 (the Lua scripts answer with one line). One connection for the whole
# run instead of a process per batch.
# Usage: open_cli <user> <host> <port> <db>
open_cli() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/maintenance.XXXXXX")
  mkfifo "$work/in" "$work/out"
  # shellcheck disable=SC2046 # tls_cli_options prints separate redis-cli options
  REDISCLI_AUTH=$(secret "$1") redis-cli --no-auth-warning $(tls_cli_options) --user "$1" -h "$2" -p "$3" -n "$4" <"$work/in" >"$work/out" 2>&1 &
  cli_pid=$!
  exec 3>"$work/in" 4<"$work/out"
  trap close_cli EXIT
}

close_cli() {
  exec 3>&- 2>/dev/null || true
  wait "$cli_pid" 2>/dev/null || true
  exec 4<&- 2>/dev/null || true
  rm -rf "$work"
}

# Send one command line; its one-line answer lands in $reply (no subshell per call).
call() {
  echo "$*" >&3
  # shellcheck disable=SC2034 # reply is the result the callers read
  IFS= read -r reply <&4 || fail "redis-cli ended (connection lost?)"
}

# Load a Lua file, print its SHA1.
load_script() {
  sha=$(cli_as "$1" "$2" "$3" -x SCRIPT LOAD <"$4") || fail "SCRIPT LOAD of $4 on $2:$3 failed: $sha"
  case "$sha" in
    *[!0-9a-f]* | "") fail "SCRIPT LOAD of $4 on $2:$3 answered: $sha" ;;
  esac
  echo "$sha"
}

# Fail unless every argument is a (possibly negative) integer.
numbers() {
  for n in "$@"; do
    case "$n" in
      "" | *[!0-9-]*) return 1 ;;
    esac
  done
}
