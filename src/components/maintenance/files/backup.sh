#!/bin/sh
# Backup: an RDB snapshot streamed with `redis-cli --rdb` from a healthy replica (the
# master keeps serving; in standalone mode the only node is used), as the backup ACL
# user (which may only SYNC). Writes BACKUP_DIR/redis-backup-<UTC timestamp>.rdb and
# its .sha256 (sha256sum format), checks the file with redis-check-rdb, then keeps the
# newest BACKUP_KEEP backups. Prints one summary line.
#   BACKUP_DIR, BACKUP_KEEP, BACKUP_TIMEOUT_SECONDS
set -eu
dir=$(dirname "$0")
. "$dir/common.sh"
. "$dir/maintenance.sh"

started=$(now_ms)
# With maintenance.backup.s3 the upload container of this pod waits for this result: "ok <file>" once
# the backup is verified, "failed …" when this script ends without one (any fail below).
handoff() {
  [ -n "${BACKUP_HANDOFF_DIR:-}" ] || return 0
  echo "$1" >"$BACKUP_HANDOFF_DIR/.result" && mv "$BACKUP_HANDOFF_DIR/.result" "$BACKUP_HANDOFF_DIR/result"
}
# shellcheck disable=SC2154 # code is assigned first inside the trap's own string
trap 'code=$?; [ -z "${BACKUP_HANDOFF_DIR:-}" ] || [ -e "$BACKUP_HANDOFF_DIR/result" ] || handoff "failed (backup.sh exit $code)"' EXIT
addr=$(discover find_replica) || fail "no healthy replica: no sentinel listed one for $MASTER_NAME within ${DISCOVERY_TIMEOUT_SECONDS:-30}s"
# shellcheck disable=SC2086 # "host port" from find_replica, split into its two fields
set -- $addr
host=$1 port=$2

mkdir -p "$BACKUP_DIR"
name="redis-backup-$(date -u +%Y%m%dT%H%M%SZ).rdb"
partial="$BACKUP_DIR/.$name.partial"
rm -f "$BACKUP_DIR"/.redis-backup-*.partial
# shellcheck disable=SC2046 # tls_cli_options prints separate redis-cli options
if ! REDISCLI_AUTH=$(secret backup) timeout "${BACKUP_TIMEOUT_SECONDS:-3000}" \
  redis-cli --no-auth-warning $(tls_cli_options) --user backup -h "$host" -p "$port" --rdb "$partial" >"$BACKUP_DIR/.rdb.log" 2>&1; then
  rm -f "$partial"
  fail "redis-cli --rdb from $host:$port failed: $(tail -n 3 "$BACKUP_DIR/.rdb.log" | tr '\n' ' ')"
fi
rm -f "$BACKUP_DIR/.rdb.log"
if command -v redis-check-rdb >/dev/null 2>&1; then
  if ! check=$(redis-check-rdb "$partial" 2>&1); then
    rm -f "$partial"
    fail "redis-check-rdb rejected the snapshot from $host:$port: $(echo "$check" | tail -n 2 | tr '\n' ' ')"
  fi
fi
mv "$partial" "$BACKUP_DIR/$name"
(cd "$BACKUP_DIR" && sha256sum "$name" >".$name.sha256" && mv ".$name.sha256" "$name.sha256")

# Retention: names sort by time; drop all but the newest BACKUP_KEEP.
deleted=0
# shellcheck disable=SC2012 # our own timestamped names: no spaces or newlines
for old in $(cd "$BACKUP_DIR" && ls -1 redis-backup-*.rdb | sort -r | awk -v keep="$BACKUP_KEEP" 'NR > keep'); do
  rm -f "$BACKUP_DIR/$old" "$BACKUP_DIR/$old.sha256"
  deleted=$((deleted + 1))
done

handoff "ok $name"
echo "backup: file=$name bytes=$(wc -c <"$BACKUP_DIR/$name" | tr -d ' ') sha256=$(cut -d' ' -f1 "$BACKUP_DIR/$name.sha256") source=$host:$port deleted_old=$deleted duration_ms=$(($(now_ms) - started))"
