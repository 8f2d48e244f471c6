import { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';

/**
 * Pod Security "restricted" building blocks. Every workload uses these, so the
 * policy lives in one place; test/security checks every pod template anyway.
 */

/** UID/GID of the redis user in the official image. */
export const REDIS_UID = 999;

export function podSecurityContext(uid: number): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(uid: number): ISecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
