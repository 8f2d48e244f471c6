# shellcheck shell=sh
# Shared by backup-upload.sh and backup-download.sh (POSIX sh; AWS CLI v1 or v2: only commands and
# options both have). Environment:
#   S3_ENDPOINT ("" = AWS S3), S3_BUCKET, S3_PREFIX ("" = the bucket root), S3_FORCE_PATH_STYLE (true|false),
#   AWS_DEFAULT_REGION, and credentials the AWS CLI finds itself (AWS_ACCESS_KEY_ID and
#   AWS_SECRET_ACCESS_KEY from a Secret, or IRSA / EKS Pod Identity / the node role).

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(basename "$0"): $*" >&2; }
fail() {
  log "$*"
  exit 1
}

[ -n "${S3_BUCKET:-}" ] || fail "S3_BUCKET is empty (maintenance.backup.s3.bucket)"
command -v aws >/dev/null 2>&1 || fail "no aws program on PATH (the AWS CLI image, maintenance.backup.s3.image)"

# Path-style addressing is a setting of the CLI's config file, not an option or a variable.
s3_work=$(mktemp -d "${TMPDIR:-/tmp}/s3.XXXXXX")
trap 'rm -rf "$s3_work"' EXIT
{
  echo '[default]'
  if [ "${S3_FORCE_PATH_STYLE:-false}" = true ]; then printf 's3 =\n  addressing_style = path\n'; fi
} >"$s3_work/config"
export AWS_CONFIG_FILE="$s3_work/config"
# A dead endpoint or refused credentials fail within a minute, not after the CLI's long default retries.
export AWS_MAX_ATTEMPTS="${AWS_MAX_ATTEMPTS:-3}"
export AWS_PAGER=""

aws_s3() {
  if [ -n "${S3_ENDPOINT:-}" ]; then
    aws --endpoint-url "$S3_ENDPOINT" --cli-connect-timeout 10 --cli-read-timeout 120 "$@"
  else
    aws --cli-connect-timeout 10 --cli-read-timeout 120 "$@"
  fi
}

s3_key() { echo "${S3_PREFIX:+$S3_PREFIX/}$1"; }
s3_url() { echo "s3://$S3_BUCKET/$(s3_key "$1")"; }

# The last lines of a command's error output on one line, for a failure message.
last_lines() { tail -n 3 "$1" | tr '\n' ' ' | sed 's/  */ /g'; }

# Lists the backup objects under the prefix into $s3_work/objects (names without the prefix, sorted =
# by time). Call it in the script's own shell, not in $( ): a failed listing must end the script.
s3_list() {
  aws_s3 s3api list-objects-v2 --bucket "$S3_BUCKET" --prefix "$(s3_key redis-backup-)" --query 'Contents[].Key' --output text >"$s3_work/list" 2>"$s3_work/list.err" ||
    fail "listing $(s3_url '') failed: $(last_lines "$s3_work/list.err")"
  tr '\t' '\n' <"$s3_work/list" | awk -v p="${S3_PREFIX:+$S3_PREFIX/}" '
    index($0, p) == 1 { name = substr($0, length(p) + 1); if (name ~ /^redis-backup-[0-9]+T[0-9]+Z\.rdb(\.sha256)?$/) print name }' | sort >"$s3_work/objects"
}

# From the last s3_list: complete backups (the .rdb and its .sha256, written last), oldest first.
s3_complete() {
  awk '/\.sha256$/ { sub(/\.sha256$/, ""); sha[$0] = 1; next } { rdb[n++] = $0 } END { for (i = 0; i < n; i++) if (rdb[i] in sha) print rdb[i] }' "$s3_work/objects"
}

# From the last s3_list: .rdb objects older than $1 without their .sha256 (uploads that failed half way).
s3_incomplete_before() {
  awk -v current="$1" '/\.sha256$/ { sub(/\.sha256$/, ""); sha[$0] = 1; next } $0 < current { rdb[n++] = $0 } END { for (i = 0; i < n; i++) if (!(rdb[i] in sha)) print rdb[i] }' "$s3_work/objects"
}
