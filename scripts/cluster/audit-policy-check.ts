/**
 * audit-policy-check: the API server's audit policy loader (k8s.io/apiserver at the pinned Kubernetes
 * staging version) as a small command, built like the cluster's binaries (build.ts) from the wrapper
 * module go/audit-policy-check/. Validates the audit policy docs/runbook.md documents.
 */
import * as path from 'path';
import { GoComponent, ensureBuilt } from './build';
import { KUBERNETES } from './versions';

export const AUDIT_POLICY_CHECK: GoComponent = {
  name: 'audit-policy-check',
  version: KUBERNETES.staging,
  packages: ['.'],
  binaries: ['audit-policy-check'],
};

/** The command's path, built on first use. */
export async function auditPolicyCheck(): Promise<string> {
  return path.join(await ensureBuilt(AUDIT_POLICY_CHECK), 'audit-policy-check');
}
