import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { BinPaths, ensureAllBuilt } from '../../scripts/cluster/build';
import { clusterDir, installCrds, up } from '../../scripts/cluster/cluster';
import { withFileLock } from '../../scripts/cluster/lock';
import { crdFiles } from '../../scripts/cluster/crds';
import { HelmMajor, helmPath } from '../../scripts/helm';
import { PROJECT_ROOT } from '../../src/render/assets';
import { CHART, HelmResult, RELEASE, renderedObjects } from './helm';
import { KubeApi } from './kube-api';
import { K8sObject } from './manifests';

/**
 * The cluster the tests under test/cluster/ run on:
 * - by default the local cluster (scripts/cluster), built or reused from the cache and started on demand;
 *   the jest run that started it stops it at its end (test/support/cluster-global-teardown.ts);
 * - with SESSION_DATABASE_KUBECONFIG=<path>, any cluster (kind, k3d, a staging cluster): nothing is started,
 *   every test works in fresh namespaces there and deletes them at the end. A plain KUBECONFIG is
 *   deliberately not enough, so that `npm test` never installs into whatever cluster a shell points at.
 */
export const EXTERNAL_KUBECONFIG_ENV = 'SESSION_DATABASE_KUBECONFIG';
/** Set by the jest global setup: the owner token of the local cluster a test run starts. */
export const TEST_RUN_ENV = 'SESSION_DATABASE_TEST_RUN';
/** A cold build of the Kubernetes binaries takes tens of minutes on 2 cores. */
export const CLUSTER_SETUP_TIMEOUT_MS = 80 * 60_000;

export const PSA_RESTRICTED_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;
/** Marks what a test created, to delete it at the end. */
const TEST_LABEL = 'session-database.test/run';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface TestCluster {
  readonly kubeconfig: string;
  /** The local cluster (false: SESSION_DATABASE_KUBECONFIG). */
  readonly local: boolean;
  readonly binaries: BinPaths;
  readonly api: KubeApi;
  /** Seconds `up` took when this suite started the cluster. */
  readonly startSeconds?: number;
  kubectl(args: string[], input?: string): Run;
  /** kubectl that throws with its output on failure. */
  kubectlOk(args: string[], input?: string): string;
  json(args: string[]): any;
  helm(major: HelmMajor, args: string[], timeoutMs?: number): HelmResult;
  /** A fresh namespace labelled for Pod Security "restricted" (plus labels), deleted after the suite. */
  namespace(prefix: string, labels?: Record<string, string>): string;
}

const RUN_ID = crypto.randomBytes(3).toString('hex');

function run(binary: string, args: string[], kubeconfig: string, input?: string, timeoutMs = 120_000): Run {
  const r = spawnSync(binary, args, {
    input,
    encoding: 'utf8',
    cwd: PROJECT_ROOT,
    env: { ...process.env, KUBECONFIG: kubeconfig },
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** A handle on a cluster reached through kubeconfig, with the build's kubectl. */
export function connect(kubeconfig: string, binaries: BinPaths, local: boolean): Omit<TestCluster, 'namespace' | 'startSeconds'> {
  const kubectl = (args: string[], input?: string) => run(binaries.kubectl, args, kubeconfig, input);
  const kubectlOk = (args: string[], input?: string) => {
    const r = kubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  return {
    kubeconfig,
    local,
    binaries,
    api: new KubeApi(kubeconfig),
    kubectl,
    kubectlOk,
    json: (args: string[]) => JSON.parse(kubectlOk([...args, '-o', 'json'])),
    helm: (major: HelmMajor, args: string[], timeoutMs = 600_000) => run(helmPath(major), args, kubeconfig, undefined, timeoutMs),
  };
}

/** Creates a namespace labelled for Pod Security "restricted" (plus labels) and marked as the tests'. */
export function createNamespace(c: Pick<TestCluster, 'kubectlOk'>, name: string, labels: Record<string, string> = {}): string {
  const object = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...PSA_RESTRICTED_LABELS, [TEST_LABEL]: RUN_ID, ...labels } } };
  c.kubectlOk(['create', '-f', '-'], JSON.stringify(object));
  return name;
}

/** Deletes a test namespace and the volumes made for it, without waiting. */
export function deleteNamespace(c: Pick<TestCluster, 'kubectl'>, name: string): void {
  c.kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
  c.kubectl(['delete', 'persistentvolume', '-l', `${TEST_LABEL}-namespace=${name}`, '--wait=false', '--ignore-not-found']);
}

/**
 * On another cluster, the operators' CRDs it lacks are installed from the pinned modules; the CRDs it has
 * (a real cert-manager, Argo CD, …) are left as they are and used.
 */
async function installMissingCrds(c: Pick<TestCluster, 'kubectl' | 'kubectlOk'>): Promise<void> {
  const missing = crdFiles().filter((f) => f.names.some((n) => c.kubectl(['get', 'customresourcedefinition', n]).status !== 0));
  if (missing.length) await installCrds((args) => c.kubectlOk(args), missing);
}

/** Builds (or reuses) the binaries and starts the local cluster, or connects to SESSION_DATABASE_KUBECONFIG. */
export async function startOrConnect(owner: string): Promise<Omit<TestCluster, 'namespace'>> {
  const external = process.env[EXTERNAL_KUBECONFIG_ENV];
  if (external) {
    const c = connect(path.resolve(external), await ensureAllBuilt(['kubernetes']), false);
    await installMissingCrds(c);
    return c;
  }
  const cluster = await up({ owner });
  return { ...connect(cluster.kubeconfig, cluster.binaries, true), startSeconds: cluster.startSeconds };
}

/**
 * The cluster of a test file: registers a beforeAll that builds (or reuses) the binaries and starts the
 * local cluster (or connects to the external one), and an afterAll that deletes what the file created.
 * The returned object is usable inside tests and hooks.
 */
export function useCluster(): TestCluster {
  const created: string[] = [];
  const handle = {} as { -readonly [K in keyof TestCluster]: TestCluster[K] };
  beforeAll(async () => {
    Object.assign(handle, await startOrConnect(process.env[TEST_RUN_ENV] ?? `jest-${process.pid}`), {
      namespace: (prefix: string, labels: Record<string, string> = {}) => {
        const name = createNamespace(handle, `sdb-${prefix}-${RUN_ID}-${created.length}`.slice(0, 63), labels);
        created.push(name);
        return name;
      },
    });
  }, CLUSTER_SETUP_TIMEOUT_MS);
  afterAll(() => {
    if (!handle.kubectl) return;
    for (const ns of created) deleteNamespace(handle, ns);
  });
  return handle;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until check returns a value (not undefined/false); throws with what was last seen. */
export async function eventually<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000}s (last: ${String(last)})`);
    await sleep(500);
  }
}

/** The auth Secret the values files name (auth.existingSecret), with a random password per user (README step 1). */
export function createAuthSecret(cluster: TestCluster, namespace: string, name = 'session-database-auth'): void {
  const users = ['app', 'cache', 'monitor', 'cleanup', 'backup', 'replication', 'sentinel'];
  const data: Record<string, string> = Object.fromEntries(users.map((u) => [`${u}-password`, crypto.randomBytes(24).toString('base64url')]));
  // The Infinispan identity (infinispan.auth.*), used when that component is on.
  data['infinispan-username'] = 'sessions';
  data['infinispan-password'] = crypto.randomBytes(24).toString('base64url');
  cluster.kubectlOk(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data }));
}

/** Every claim the objects make: each StatefulSet's claim templates × replicas, and each PersistentVolumeClaim. */
export function claimsOf(objects: readonly K8sObject[]): { name: string; size: string; accessModes: string[]; storageClassName?: string }[] {
  const claims = [];
  for (const o of objects) {
    if (o.kind === 'StatefulSet') {
      for (const t of o.spec.volumeClaimTemplates ?? []) {
        for (let i = 0; i < (o.spec.replicas ?? 1); i++) {
          claims.push({ name: `${t.metadata.name}-${o.metadata.name}-${i}`, size: t.spec.resources.requests.storage, accessModes: t.spec.accessModes, storageClassName: t.spec.storageClassName });
        }
      }
    }
    if (o.kind === 'PersistentVolumeClaim') {
      claims.push({ name: o.metadata.name, size: o.spec.resources.requests.storage, accessModes: o.spec.accessModes, storageClassName: o.spec.storageClassName });
    }
  }
  return claims;
}

/**
 * The local cluster has no storage provisioner: a PersistentVolume is made for each claim, bound to it in
 * advance (claimRef), as a cluster administrator pre-provisions volumes. On a cluster with a default
 * StorageClass nothing is made: its provisioner serves the claims.
 */
export function providePersistentVolumes(cluster: TestCluster, namespace: string, objects: readonly K8sObject[], existingClaims: ReadonlySet<string> = new Set()): number {
  const classes = cluster.json(['get', 'storageclass']).items as K8sObject[];
  const hasDefault = classes.some((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
  if (hasDefault) return 0;
  const volumes = claimsOf(objects).filter((claim) => !existingClaims.has(claim.name)).map((claim) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: `${namespace}-${claim.name}`.slice(0, 253),
      labels: { [`${TEST_LABEL}-namespace`]: namespace },
    },
    spec: {
      capacity: { storage: claim.size },
      accessModes: claim.accessModes,
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: claim.storageClassName ?? '',
      claimRef: { namespace, name: claim.name },
      hostPath: { path: `/var/lib/session-database-test/${namespace}/${claim.name}`, type: 'DirectoryOrCreate' },
    },
  }));
  if (volumes.length) cluster.kubectlOk(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: volumes }));
  return volumes.length;
}

/** Values args that install a values file into a test namespace (README: namespace.create=false, the namespace exists). */
export function namespacedValues(valuesFile: string, namespace: string): string[] {
  return ['-f', valuesFile, '--set', `namespace.name=${namespace}`, '--set', 'namespace.create=false'];
}

/** The objects `helm install` would create, from `helm template` with the same arguments. */
export function templateObjects(cluster: TestCluster, major: HelmMajor, namespace: string, valuesArgs: string[]): K8sObject[] {
  return renderedObjects(cluster.helm(major, ['template', RELEASE, CHART, '-n', namespace, ...valuesArgs]));
}

export interface InstallOptions {
  major: HelmMajor;
  namespace: string;
  valuesFile: string;
  /** Let the chart generate the auth Secret (auth.existingSecret emptied) instead of creating it first. */
  generatedSecret?: boolean;
  /** helm install --wait (default) or not. */
  wait?: boolean;
  extraArgs?: string[];
  timeout?: string;
}

/**
 * The scheduling test changes which nodes and zones take new pods; whatever creates pods and waits for them
 * (install, upgrade, rollback) holds this lock so that it never runs while the nodes are changed.
 */
export function withNodesLock<T>(body: () => T): Promise<T> {
  return withFileLock(path.join(clusterDir(), 'nodes.lock'), 'nodes', async () => body());
}

/** Prepares what the README's install needs (the auth Secret when named, volumes) and runs `helm install --wait`. */
export function installChart(cluster: TestCluster, options: InstallOptions): Promise<HelmResult & { seconds: number }> {
  return withNodesLock(() => installChartNow(cluster, options));
}

/** installChart without the nodes lock (for the test that holds it). */
export function installChartNow(cluster: TestCluster, options: InstallOptions): HelmResult & { seconds: number } {
  const valuesArgs = [
    ...namespacedValues(options.valuesFile, options.namespace),
    ...(options.generatedSecret ? ['--set', 'auth.existingSecret='] : []),
    ...(options.extraArgs ?? []),
  ];
  const values = YAML.parse(fs.readFileSync(path.resolve(PROJECT_ROOT, options.valuesFile), 'utf8'));
  if (values?.auth?.existingSecret && !options.generatedSecret) createAuthSecret(cluster, options.namespace, values.auth.existingSecret);
  providePersistentVolumes(cluster, options.namespace, templateObjects(cluster, options.major, options.namespace, valuesArgs));
  const started = Date.now();
  const wait = options.wait === false ? [] : ['--wait', '--timeout', options.timeout ?? '5m'];
  const r = cluster.helm(options.major, ['install', RELEASE, CHART, '-n', options.namespace, ...valuesArgs, ...wait]);
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

/** Throws with Helm's output and the namespace's state when a Helm command failed. */
export function expectHelmOk(cluster: TestCluster, r: HelmResult, namespace: string): void {
  if (r.status === 0) return;
  const state = cluster.kubectl(['get', 'all,pvc,events', '-n', namespace]).stdout;
  throw new Error(`helm exited ${r.status}:\n${r.stderr}\n${r.stdout}\n--- ${namespace}:\n${state}`);
}
