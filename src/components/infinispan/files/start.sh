#!/bin/sh
# Starts one Infinispan server on a read-only root filesystem.
#
# 1. Identities: runs the identities batch (identities.batch, next to the server
#    config) with the Infinispan CLI. `user create` without a name or password reads
#    ISPN_USERNAME and ISPN_PASSWORD, which are set from the mounted auth Secret for
#    that one command only: the password is never in a file, an argument or the
#    server's environment. users.properties (hashed) and groups.properties go to
#    IDENTITIES_DIR, a memory-backed emptyDir.
# 2. TLS (when a certificate is mounted at TLS_DIR): key and certificate are joined
#    into the PEM keystore the server config names.
# 3. exec the server with the config from the ConfigMap, the pod name as node name and
#    the headless ping Service as the JGroups DNS_PING query.
#
# Environment (set by the StatefulSet): SECRETS_DIR USERNAME_KEY PASSWORD_KEY CONFIG_DIR
# IDENTITIES_DIR TLS_DIR POD_NAME POD_IP JGROUPS_DNS_QUERY; optional ISPN_HOME, CLI.
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

username=$(secret "$USERNAME_KEY")
password=$(secret "$PASSWORD_KEY")
case "$username" in
  *[!A-Za-z0-9._@-]*) fail "the user name in $USERNAME_KEY may only contain letters, digits and . _ @ -" ;;
esac

if [ -z "${CLI:-}" ]; then
  if [ -x "$ISPN_HOME/cli" ]; then CLI="$ISPN_HOME/cli"; else CLI="$ISPN_HOME/bin/cli.sh"; fi
fi

umask 077
rm -f "$IDENTITIES_DIR/users.properties" "$IDENTITIES_DIR/groups.properties"
ISPN_USERNAME="$username" ISPN_PASSWORD="$password" "$CLI" --file="$CONFIG_DIR/identities.batch"
unset password
[ -s "$IDENTITIES_DIR/users.properties" ] || fail "the identities batch wrote no $IDENTITIES_DIR/users.properties"

if [ -s "${TLS_DIR:-/nonexistent}/tls.key" ]; then
  cat "$TLS_DIR/tls.key" "$TLS_DIR/tls.crt" > "$IDENTITIES_DIR/server.pem"
fi

exec "$ISPN_HOME/bin/server.sh" \
  --server-config="$CONFIG_DIR/infinispan.yaml" \
  --bind-address=0.0.0.0 \
  --node-name="$POD_NAME" \
  "-Djgroups.dns.query=$JGROUPS_DNS_QUERY" \
  "-Djgroups.bind.address=$POD_IP"
