#!/bin/sh
# Off-cluster copy of the backup (maintenance.backup.s3), the second container of the backup Job, in the
# AWS CLI image. Waits for backup.sh's result in BACKUP_HANDOFF_DIR (a volume of the pod only), then:
#   1. checks the new backup against its .sha256 on the backup volume;
#   2. copies it to s3://S3_BUCKET/S3_PREFIX/ and reads the object back: its SHA-256 must be the one
#      backup.sh recorded; only then the .sha256 goes up, which marks the backup complete in the bucket;
#   3. deletes what the bucket's retention no longer keeps: all but the newest S3_KEEP (0 = no limit),
#      those older than S3_MAX_AGE_DAYS (0 = no limit), and uploads an earlier run left incomplete.
# Any failure exits non-zero with one line saying what failed (the RedisBackupUploadFailed alert reads this
# container's exit). Prints one summary line.
#   BACKUP_DIR, BACKUP_HANDOFF_DIR, BACKUP_TIMEOUT_SECONDS, S3_KEEP, S3_MAX_AGE_DAYS and s3.sh's variables
set -eu
dir=$(dirname "$0")
. "$dir/s3.sh"

started=$(date +%s)
deadline=$((started + ${BACKUP_TIMEOUT_SECONDS:-3000}))
until [ -s "$BACKUP_HANDOFF_DIR/result" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "backup.sh reported no result within ${BACKUP_TIMEOUT_SECONDS:-3000} s"
  sleep 1
done
result=$(cat "$BACKUP_HANDOFF_DIR/result")
case "$result" in
  "ok "*) name=${result#ok } ;;
  *)
    # The backup step failed and says so itself (its container's exit, RedisMaintenanceJobFailed).
    log "the backup step failed ($result); nothing to upload"
    exit 0
    ;;
esac

(cd "$BACKUP_DIR" && sha256sum -c "$name.sha256" >/dev/null 2>&1) || fail "$BACKUP_DIR/$name does not match its .sha256 on the backup volume"
sha=$(cut -d' ' -f1 "$BACKUP_DIR/$name.sha256")

aws_s3 s3 cp --only-show-errors "$BACKUP_DIR/$name" "$(s3_url "$name")" 2>"$s3_work/cp.err" ||
  fail "upload of $name to $(s3_url "$name") failed: $(last_lines "$s3_work/cp.err")"
aws_s3 s3 cp --only-show-errors "$(s3_url "$name")" - 2>"$s3_work/get.err" | sha256sum >"$s3_work/got"
[ ! -s "$s3_work/get.err" ] || fail "reading back $(s3_url "$name") failed: $(last_lines "$s3_work/get.err")"
got=$(cut -d' ' -f1 "$s3_work/got")
[ "$got" = "$sha" ] || fail "$(s3_url "$name") reads back with sha256 $got, not $sha: the copy is corrupt (its .sha256 was not uploaded)"
aws_s3 s3 cp --only-show-errors "$BACKUP_DIR/$name.sha256" "$(s3_url "$name.sha256")" 2>"$s3_work/cp.err" ||
  fail "upload of $name.sha256 to $(s3_url "$name.sha256") failed: $(last_lines "$s3_work/cp.err")"

# Retention. Names sort by time; the backup just uploaded is never deleted.
cutoff=""
if [ "${S3_MAX_AGE_DAYS:-0}" -gt 0 ]; then
  cutoff="redis-backup-$(date -u -d "@$((started - S3_MAX_AGE_DAYS * 86400))" +%Y%m%dT%H%M%SZ).rdb"
fi
s3_list
expired=$(s3_complete | awk -v keep="${S3_KEEP:-0}" -v cutoff="$cutoff" -v current="$name" '
  { names[NR] = $0 }
  END { for (i = 1; i <= NR; i++) if (names[i] != "" && names[i] != current && ((keep > 0 && NR - i >= keep) || (cutoff != "" && names[i] < cutoff))) print names[i] }')
incomplete=$(s3_incomplete_before "$name")
deleted=0
for old in $expired $incomplete; do
  for key in "$old.sha256" "$old"; do
    aws_s3 s3api delete-object --bucket "$S3_BUCKET" --key "$(s3_key "$key")" >/dev/null 2>"$s3_work/rm.err" ||
      fail "deleting $(s3_url "$key") (retention) failed: $(last_lines "$s3_work/rm.err")"
  done
  deleted=$((deleted + 1))
done
echo "backup-upload: file=$name bytes=$(wc -c <"$BACKUP_DIR/$name" | tr -d ' ') sha256=$sha url=$(s3_url "$name") deleted_old=$deleted duration_s=$(($(date +%s) - started))"
