#!/bin/sh
# Restore a backup into a Redis data directory (docs/backup-restore.md).
# Usage: restore.sh <backup dir>/redis-backup-<timestamp>.rdb <data dir>
#   1. checks the file against its .sha256 and with redis-check-rdb;
#   2. moves what the data directory held to <data dir>/pre-restore-<timestamp>/;
#   3. loads the snapshot into a private redis-server (unix socket only, no TCP) and
#      writes an append-only file from it: a node with appendonly yes ignores a lone
#      dump.rdb and would start EMPTY, so the AOF must exist before the node starts.
# Afterwards the directory holds dump.rdb and appendonlydir/ with the backup's data.
#   REDIS_DATABASES (default 16): the databases setting of the cluster.
set -eu

backup=${1:?usage: restore.sh <backup.rdb> <data dir>}
data=${2:?usage: restore.sh <backup.rdb> <data dir>}
log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) restore.sh: $*" >&2; }
fail() { log "$*"; exit 1; }

[ -r "$backup" ] || fail "cannot read $backup"
[ -r "$backup.sha256" ] || fail "missing checksum file $backup.sha256"
(cd "$(dirname "$backup")" && sha256sum -c "$(basename "$backup").sha256" >/dev/null) || fail "$backup does not match $backup.sha256"
if command -v redis-check-rdb >/dev/null 2>&1; then
  redis-check-rdb "$backup" >/dev/null 2>&1 || fail "redis-check-rdb rejects $backup"
fi

mkdir -p "$data"
aside="$data/pre-restore-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir "$aside"
for f in "$data"/* "$data"/.[!.]*; do
  [ -e "$f" ] || continue
  [ "$f" = "$aside" ] && continue
  case "$f" in "$data"/pre-restore-*) continue ;; esac
  mv "$f" "$aside/"
done
cp "$backup" "$data/dump.rdb"

sock="$data/.restore.sock"
redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$data" \
  --dbfilename dump.rdb --appendonly no --save "" --databases "${REDIS_DATABASES:-16}" \
  --logfile "$data/.restore.log" --daemonize no &
pid=$!
cli() { redis-cli -s "$sock" "$@"; }
i=0
until [ "$(cli PING 2>/dev/null)" = PONG ]; do
  kill -0 "$pid" 2>/dev/null || fail "redis-server could not load $backup: $(tail -n 3 "$data/.restore.log" | tr '\n' ' ')"
  i=$((i + 1))
  [ "$i" -lt 600 ] || { kill "$pid"; fail "redis-server did not load $backup within 60 s"; }
  sleep 0.1
done
keys=$(cli DBSIZE)
cli CONFIG SET appendonly yes >/dev/null
i=0
while :; do
  info=$(cli INFO persistence | tr -d '\r')
  if echo "$info" | grep -q '^aof_rewrite_in_progress:0' && echo "$info" | grep -q '^aof_rewrite_scheduled:0' \
    && echo "$info" | grep -q '^aof_enabled:1' && [ -d "$data/appendonlydir" ]; then
    break
  fi
  i=$((i + 1))
  [ "$i" -lt 3000 ] || { kill "$pid"; fail "the append-only file was not written within 300 s"; }
  sleep 0.1
done
echo "$info" | grep -q '^aof_last_bgrewrite_status:ok' || { kill "$pid"; fail "writing the append-only file failed"; }
cli SHUTDOWN SAVE >/dev/null 2>&1 || true
wait "$pid" 2>/dev/null || true
rm -f "$data/.restore.log"
log "restored $backup into $data (db0 keys: $keys; previous contents in $aside)"
