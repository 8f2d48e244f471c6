import { ConfigPath, Operand, arg, at, choose, dict, include, lit, merge, truthy } from '../../config/expr';
import { RenderContext, Val } from '../../render/context';

/**
 * Pod Security "restricted" building blocks. Every workload uses these, so the policy lives in one
 * place; test/security checks every pod template anyway.
 *
 * A workload's podSecurityContext/containerSecurityContext values are merged over them (Go's merge:
 * a value adds or changes fields, but false and 0 never switch a restricted setting off). With
 * global.openshift the fixed user and group ids are left out, so that OpenShift's restricted-v2 SCC
 * assigns them from the namespace's range.
 */

/** UID/GID of the redis user in the official image. */
export const REDIS_UID = 999;

const openshift = truthy('global.openshift');
const SECCOMP = { type: 'RuntimeDefault' };

const POD_CONTEXT = include(
  'podSecurityContext',
  merge(
    arg<Record<string, unknown>>(0),
    choose(
      openshift,
      dict([['runAsNonRoot', true], ['fsGroupChangePolicy', 'OnRootMismatch'], ['seccompProfile', lit(SECCOMP)]]) as Operand<Record<string, unknown>>,
      dict([
        ['runAsNonRoot', true],
        ['runAsUser', arg(1)],
        ['runAsGroup', arg(1)],
        ['fsGroup', arg(1)],
        ['fsGroupChangePolicy', 'OnRootMismatch'],
        ['seccompProfile', lit(SECCOMP)],
      ]),
    ),
  ),
  lit({}),
  0,
);

const CONTAINER_CONTEXT = include(
  'containerSecurityContext',
  merge(
    arg<Record<string, unknown>>(0),
    choose(
      openshift,
      dict(restrictedContainer()),
      dict([['runAsUser', arg(1)], ['runAsGroup', arg(1)], ...restrictedContainer()]),
    ),
  ),
  lit({}),
  0,
);

function restrictedContainer(): [string, Operand | boolean][] {
  return [
    ['runAsNonRoot', true],
    ['allowPrivilegeEscalation', false],
    ['readOnlyRootFilesystem', true],
    ['privileged', false],
    ['capabilities', lit({ drop: ['ALL'] })],
    ['seccompProfile', lit(SECCOMP)],
  ];
}

/** The same named template with this workload's values and uid. */
function withArgs(template: typeof POD_CONTEXT, overrides: Operand, uid: number): Operand<Record<string, unknown>> {
  return { ...template, args: [overrides, lit(uid)] } as Operand<Record<string, unknown>>;
}

/** The pod securityContext: restricted, run as `uid`, with the workload's `podSecurityContext` values merged over it. */
export function podSecurityContext(ctx: RenderContext, uid: number, overrides?: ConfigPath): Val<Record<string, unknown>> {
  return ctx.value(withArgs(POD_CONTEXT, overrides ? at(overrides) : lit({}), uid));
}

/** A container's securityContext: restricted, run as `uid`, with `containerSecurityContext` values merged over it. */
export function containerSecurityContext(ctx: RenderContext, uid: number, overrides?: ConfigPath): Val<Record<string, unknown>> {
  return ctx.value(withArgs(CONTAINER_CONTEXT, overrides ? at(overrides) : lit({}), uid));
}

/** The named templates above, for _helpers.tpl. */
export const SECURITY_CONTEXT_TEMPLATES = [POD_CONTEXT, CONTAINER_CONTEXT];

/**
 * checkov findings on the workloads that are deliberate, each with its reason (checkov reads
 * checkov.io/skip<n> annotations of the object; the pre-commit hook runs it on dist/ and the chart).
 * runsAs: who the containers run as (CKV_K8S_40, a UID below 10000); secretEnv: why a password is an
 * environment variable (CKV_K8S_35), for a workload that has one; noProbes: why a pod has no liveness and readiness
 * probe (CKV_K8S_8, CKV_K8S_9), for a bare Pod that runs to completion (checkov exempts the Jobs' pods itself).
 */
export function scannerNotes(options: { runsAs?: string; secretEnv?: string; noProbes?: string } = {}): Operand<Record<string, string>> {
  const notes: [string, string][] = [
    ['CKV_K8S_43', 'images are pinned by tag by default; set <image>.digest to pin by digest'],
    ['CKV_K8S_15', 'pullPolicy is a value of every image (IfNotPresent: a pinned tag needs no pull at each start)'],
    ['CKV_K8S_40', `runs as ${options.runsAs ?? 'the image\'s redis user 999, the owner of its files'}; non-root under Pod Security restricted`],
    ...(options.secretEnv ? [['CKV_K8S_35', options.secretEnv] as [string, string]] : []),
    ...(options.noProbes ? [['CKV_K8S_8', options.noProbes], ['CKV_K8S_9', options.noProbes]] as [string, string][] : []),
  ];
  return lit(Object.fromEntries(notes.map(([check, reason], i) => [`checkov.io/skip${i + 1}`, `${check}=${reason}`])));
}
