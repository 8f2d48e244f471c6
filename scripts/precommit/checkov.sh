#!/bin/sh
# checkov's Kubernetes checks on dist/ and its Helm checks on the chart. Deliberate findings are
# suppressed on the objects themselves (checkov.io/skip<n> annotations with their reasons:
# src/components/shared/pod-security.ts scannerNotes).
set -eu
cd "$(dirname "$0")/../.."
[ -x .tools/helm3/helm ] || npx --no-install tsx scripts/helm.ts >/dev/null
PATH="$(pwd)/.tools/helm3:$PATH"
export PATH
# --skip-download: nothing leaves the machine (no Prisma Cloud guidelines, severities or policies).
checkov --quiet --compact --skip-download --framework kubernetes --directory dist
# helm template renders into namespace "default" here; the namespace is the installer's choice and
# dist/ above is checked with the real ones, so CKV_K8S_21 (default namespace) does not apply.
checkov --quiet --compact --skip-download --framework helm --directory charts/session-database --skip-check CKV_K8S_21
