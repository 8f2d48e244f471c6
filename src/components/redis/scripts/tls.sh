# shellcheck shell=sh
# TLS (tls.enabled), sourced by common.sh. The pod mounts the cert-manager Secret at
# TLS_DIR (tls.crt, tls.key, ca.crt); clients authenticate with their ACL password, so
# the servers ask for no client certificate.

tls_on() {
  [ "${TLS_ENABLED:-false}" = true ]
}

# redis-cli options for a connection to a server of this release.
tls_cli_options() {
  if tls_on; then
    echo "--tls --cacert $TLS_DIR/ca.crt"
  fi
}

# Server lines: TLS-only on the given port; replication and sentinel links use TLS too.
tls_server_config() {
  tls_on || return 0
  echo "port 0"
  echo "tls-port $1"
  echo "tls-cert-file $TLS_DIR/tls.crt"
  echo "tls-key-file $TLS_DIR/tls.key"
  echo "tls-ca-cert-file $TLS_DIR/ca.crt"
  echo "tls-auth-clients no"
  echo "tls-replication yes"
}
