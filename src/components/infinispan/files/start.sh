#!/bin/sh
# Starts one Infinispan server on a read-only root filesystem.
#
# 1. Identities: runs the identities batch (identities.batch, next to the server
#    config) with the Infinispan CLI. The CLI reads a name and password only from the
#    batch itself (without them `user create` prompts), so $ISPN_USERNAME and
#    $ISPN_PASSWORD in the batch are filled from the mounted auth Secret on the way
#    through a FIFO: the password is never in a file, an argument or the server's
#    environment. users.properties (hashed) and groups.properties go to
#    IDENTITIES_DIR, a memory-backed emptyDir.
# 2. TLS (when a certificate is mounted at TLS_DIR): key and certificate are joined
#    into the PEM keystore the server config names.
# 3. exec the server with the config from the ConfigMap, the pod name as node name,
#    the client endpoint on BIND_ADDRESS, JGroups on POD_IP (jgroups.bind_addr too: FD_SOCK2
#    listens on every address without it) and the headless ping Service as the JGroups
#    DNS_PING query.
#
# Environment (set by the StatefulSet): SECRETS_DIR USERNAME_KEY PASSWORD_KEY CONFIG_DIR
# IDENTITIES_DIR TLS_DIR POD_NAME POD_IP BIND_ADDRESS JGROUPS_DNS_QUERY; optional
# ADMIN_USERNAME_KEY ADMIN_PASSWORD_KEY (the admin identity), ISPN_HOME, CLI.
set -eu

: "${ISPN_HOME:=/opt/infinispan}"

fail() {
  echo "start.sh: $*" >&2
  exit 1
}

secret() {
  file="$SECRETS_DIR/$1"
  [ -s "$file" ] || fail "$file is missing or empty: add the key $1 to the auth Secret (docs/client-contract.md lists the keys)"
  cat "$file"
}

# The batch quotes the user name and password with double quotes; the CLI reads one
# line per command.
check_username() {
  case "$1" in
    *[!A-Za-z0-9._@-]*) fail "the user name in $2 may only contain letters, digits and . _ @ -" ;;
  esac
}
check_password() {
  # shellcheck disable=SC1003 # '\' is a backslash pattern, not an attempt to escape a quote
  case "$1" in
    *'"'* | *'\'* | *'
'*) fail "the password in $2 may not contain a double quote, a backslash or a line break (the Infinispan CLI batch cannot carry them)" ;;
  esac
}

username=$(secret "$USERNAME_KEY")
password=$(secret "$PASSWORD_KEY")
check_username "$username" "$USERNAME_KEY"
check_password "$password" "$PASSWORD_KEY"
# The admin identity (infinispan.auth.admin.enabled): only when the StatefulSet names its keys.
admin_username=
admin_password=
if [ -n "${ADMIN_USERNAME_KEY:-}" ]; then
  admin_username=$(secret "$ADMIN_USERNAME_KEY")
  admin_password=$(secret "$ADMIN_PASSWORD_KEY")
  check_username "$admin_username" "$ADMIN_USERNAME_KEY"
  check_password "$admin_password" "$ADMIN_PASSWORD_KEY"
fi

if [ -z "${CLI:-}" ]; then
  if [ -x "$ISPN_HOME/cli" ]; then CLI="$ISPN_HOME/cli"; else CLI="$ISPN_HOME/bin/cli.sh"; fi
fi

# Replaces every $ISPN_USERNAME and $ISPN_PASSWORD in the batch (index/substr: the
# values are data, not patterns or replacement strings).
fill_batch() {
  awk 'function fill(s, token, value,   out, i) {
         out = ""
         while ((i = index(s, token)) > 0) { out = out substr(s, 1, i - 1) value; s = substr(s, i + length(token)) }
         return out s
       }
       { print fill(fill($0, "$ISPN_USERNAME", ENVIRON["ISPN_USERNAME"]), "$ISPN_PASSWORD", ENVIRON["ISPN_PASSWORD"]) }' "$1"
}

umask 077
rm -f "$IDENTITIES_DIR/users.properties" "$IDENTITIES_DIR/groups.properties"
batch="$IDENTITIES_DIR/identities.fifo"
rm -f "$batch"
mkfifo -m 600 "$batch"
{
  ISPN_USERNAME="$username" ISPN_PASSWORD="$password" fill_batch "$CONFIG_DIR/identities.batch"
  if [ -n "$admin_username" ]; then
    ISPN_USERNAME="$admin_username" ISPN_PASSWORD="$admin_password" fill_batch "$CONFIG_DIR/admin-identity.batch"
  fi
} > "$batch" &
writer=$!
unset password admin_password
cli_status=0
"$CLI" --file="$batch" < /dev/null || cli_status=$?
# A CLI that never opened the FIFO leaves the writer blocked on it.
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
rm -f "$batch"
[ "$cli_status" = 0 ] || fail "the identities batch failed (Infinispan CLI exit status $cli_status)"
[ -s "$IDENTITIES_DIR/users.properties" ] || fail "the identities batch wrote no $IDENTITIES_DIR/users.properties"

if [ -s "${TLS_DIR:-/nonexistent}/tls.key" ]; then
  cat "$TLS_DIR/tls.key" "$TLS_DIR/tls.crt" > "$IDENTITIES_DIR/server.pem"
fi

exec "$ISPN_HOME/bin/server.sh" \
  --server-config="$CONFIG_DIR/infinispan.yaml" \
  "--bind-address=$BIND_ADDRESS" \
  --node-name="$POD_NAME" \
  "-Djgroups.dns.query=$JGROUPS_DNS_QUERY" \
  "-Djgroups.bind.address=$POD_IP" \
  "-Djgroups.bind_addr=$POD_IP"
