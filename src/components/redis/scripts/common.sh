# shellcheck shell=sh
# Shared by the Redis and Sentinel scripts (sourced, POSIX sh).
# Everything that differs between the cluster and a test comes from the environment,
# which the manifests set (downward API) and a test sets to its own fixture values:
#   POD_NAME, POD_IP, ANNOUNCE_HOST, REDIS_HOST_PATTERN, SENTINEL_HOST_PATTERN (printf
#   patterns taking the pod ordinal), REDIS_NODES, SENTINEL_NODES, REDIS_PORT,
#   SENTINEL_PORT, REDIS_MODE, MASTER_NAME, CONFIG_TEMPLATE_DIR, SECRETS_DIR,
#   RUNTIME_DIR, DATA_DIR.
# Optional timing knobs (defaults suit the cluster; the live tests shorten the polls):
#   POLL_SECONDS (1), CLI_TIMEOUT_SECONDS (3), STARTUP_WAIT_SECONDS (600),
#   FAILOVER_WAIT_SECONDS (30), HANDOVER_SECONDS (grace - 10), CATCHUP_SECONDS (10),
#   FAILOVER_REQUEST_SECONDS (5), RESOLVE_WAIT_SECONDS (300), PROBE_CLI_TIMEOUT_SECONDS (2).

. "$(dirname "$0")/tls.sh"

log() {
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${0##*/}: $*" >&2
}

# Password of an ACL user, from the mounted Secret (<user>-password).
secret() {
  file="$SECRETS_DIR/$1-password"
  if [ ! -r "$file" ]; then
    log "missing password file $file (Secret key $1-password)"
    return 1
  fi
  cat "$file"
}

ordinal() {
  echo "${POD_NAME##*-}"
}

redis_host() {
  # shellcheck disable=SC2059
  printf "$REDIS_HOST_PATTERN" "$1"
}

sentinel_host() {
  # shellcheck disable=SC2059
  printf "$SENTINEL_HOST_PATTERN" "$1"
}

# redis-cli as an ACL user; the password travels in the environment, never in argv.
# Usage: cli_as <user> <host> <port> <command...>
cli_as() {
  user=$1 host=$2 port=$3
  shift 3
  # shellcheck disable=SC2046
  REDISCLI_AUTH=$(secret "$user") timeout "${CLI_TIMEOUT_SECONDS:-3}" \
    redis-cli --no-auth-warning $(tls_cli_options) --user "$user" -h "$host" -p "$port" "$@"
}

# Replace %PASSWORD:<user>% markers of an ACL template with #<sha256 of the password>.
render_acl() {
  template=$1
  script=""
  # shellcheck disable=SC2013 # ACL user names: one word each
  for user in $(grep -o '%PASSWORD:[a-z]*%' "$template" | sort -u | sed 's/%PASSWORD:\(.*\)%/\1/'); do
    hash=$(secret "$user" | tr -d '\n' | sha256sum | cut -d' ' -f1)
    script="${script}s/%PASSWORD:${user}%/#${hash}/g;"
  done
  # auth.extraUsers: %PASSWORD_KEY:<key>% = that key of the whole auth Secret (EXTRA_SECRETS_DIR).
  # shellcheck disable=SC2013 # Secret key names: one word each
  for key in $(grep -v '^#' "$template" | grep -o '%PASSWORD_KEY:[-._a-zA-Z0-9]*%' | sort -u | sed 's/%PASSWORD_KEY:\(.*\)%/\1/'); do
    file="${EXTRA_SECRETS_DIR:-}/$key"
    if [ ! -r "$file" ]; then
      log "missing password file $file (Secret key $key of auth.extraUsers)"
      return 1
    fi
    hash=$(tr -d '\n' <"$file" | sha256sum | cut -d' ' -f1)
    script="${script}s/%PASSWORD_KEY:$(echo "$key" | sed 's/\./\\./g')%/#${hash}/g;"
  done
  grep -v '^#' "$template" | grep -v '^$' | sed "$script"
}

# True when a redis-cli reply is an answer, not an error or a connection that failed.
is_answer() {
  case "$1" in
    "" | *ERR* | *NOAUTH* | *WRONGPASS* | *NOPERM* | *"Could not connect"* | *refused*) return 1 ;;
  esac
  return 0
}

# One SENTINEL command on the first sentinel that answers it, as DISCOVERY_USER
# (default: the sentinel user); prints the raw reply.
ask_sentinels() {
  i=0
  while [ "$i" -lt "$SENTINEL_NODES" ]; do
    answer=$(cli_as "${DISCOVERY_USER:-sentinel}" "$(sentinel_host "$i")" "$SENTINEL_PORT" SENTINEL "$@" 2>/dev/null) || answer=""
    if is_answer "$answer"; then
      echo "$answer"
      return 0
    fi
    i=$((i + 1))
  done
  return 1
}

# Host of the master, as the first sentinel that knows one says.
sentinel_master_addr() {
  ask_sentinels get-master-addr-by-name "$MASTER_NAME" | head -n 1
}

# Hosts of the other Redis nodes, one per line.
peer_hosts() {
  i=0
  while [ "$i" -lt "$REDIS_NODES" ]; do
    host=$(redis_host "$i")
    [ "$host" = "${ANNOUNCE_HOST:-}" ] || echo "$host"
    i=$((i + 1))
  done
}

# First Redis node other than this one that reports role master.
peer_master() {
  for host in $(peer_hosts); do
    if [ "$(cli_as sentinel "$host" "$REDIS_PORT" ROLE 2>/dev/null | head -n 1)" = master ]; then
      echo "$host"
      return 0
    fi
  done
  return 1
}

# True when another Redis node answers (as replica or master).
peer_alive() {
  for host in $(peer_hosts); do
    [ "$(cli_as sentinel "$host" "$REDIS_PORT" PING 2>/dev/null)" = PONG ] && return 0
  done
  return 1
}
