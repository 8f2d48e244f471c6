#!/bin/sh
# Fetch a backup from the bucket for restore.sh (docs/backup-restore.md), where the AWS CLI runs (the
# upload's image, or an operator's machine with the same S3_* variables as the backup Job).
# Usage: backup-download.sh <directory> [redis-backup-<timestamp>.rdb]   (default: the newest complete one)
# Writes <directory>/<name> and <name>.sha256, checks the file against it, prints the file's path.
set -eu
dest=${1:?usage: backup-download.sh <directory> [redis-backup-<timestamp>.rdb]}
dir=$(dirname "$0")
. "$dir/s3.sh"

s3_list
name=${2:-$(s3_complete | tail -n 1)}
[ -n "$name" ] || fail "no complete backup (an .rdb with its .sha256) under $(s3_url '')"
mkdir -p "$dest"
for f in "$name.sha256" "$name"; do
  aws_s3 s3 cp --only-show-errors "$(s3_url "$f")" "$dest/$f" 2>"$s3_work/cp.err" || fail "download of $(s3_url "$f") failed: $(last_lines "$s3_work/cp.err")"
done
(cd "$dest" && sha256sum -c "$name.sha256" >/dev/null 2>&1) || fail "$dest/$name does not match the .sha256 stored with it"
log "fetched $(s3_url "$name") ($(wc -c <"$dest/$name" | tr -d ' ') bytes, sha256 verified)"
echo "$dest/$name"
