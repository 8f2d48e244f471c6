import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { NODE_LABEL, NODE_TAINT, RealNode, down, inNode, nodeDir, up } from '../../scripts/node/node';
import { REDIS_USER_ID } from '../../scripts/node/images';
import { claimsOf, createAuthSecret, expectHelmOk, namespacedValues, templateObjects, TestCluster, useCluster } from '../support/cluster';
import { CHART, RELEASE } from '../support/helm';
import { K8sObject } from '../support/manifests';
import { CertManager, startCertManager } from '../../scripts/cluster/cert-manager';

/** A cold node (containerd, runc, CoreDNS builds) takes minutes on 2 cores; warm it starts in seconds. */
export const NODE_SETUP_TIMEOUT_MS = 80 * 60_000;

/**
 * The local cluster plus the real node, for one test file: the node starts in beforeAll and stops in
 * afterAll, passed or failed (down kills by pid and by cgroup, whatever state up reached).
 */
/** The cert-manager controllers the releases on the node started; useRealNode stops them. */
const certManagers: CertManager[] = [];

/** Stops the cert-manager controllers installProductionOnNode started. */
export async function stopCertManagers(): Promise<void> {
  await Promise.all(certManagers.splice(0).map((c) => c.stop()));
}

export function useRealNode(): { cluster: TestCluster; node: () => RealNode } {
  const cluster = useCluster();
  let node: RealNode | undefined;
  beforeAll(async () => {
    node = await up();
  }, NODE_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await stopCertManagers();
    await down();
  }, 120_000);
  return {
    cluster,
    node: () => {
      if (!node) throw new Error('the real node did not start (see beforeAll)');
      return node;
    },
  };
}

/** Scheduling on the real node only: its label, and a toleration of its taint. */
export const ON_REAL_NODE = {
  nodeSelector: { [NODE_LABEL.key]: NODE_LABEL.value },
  tolerations: [{ key: NODE_TAINT.key, operator: 'Equal', value: NODE_TAINT.value, effect: NODE_TAINT.effect }],
};

/** `--set` arguments that put every workload of the chart on the real node. */
export function onRealNodeValues(workloads: readonly string[]): string[] {
  return workloads.flatMap((w) => [
    '--set-string', `${w}.nodeSelector.${NODE_LABEL.key.replace(/\./g, '\\.')}=${NODE_LABEL.value}`,
    '--set-json', `${w}.tolerations=${JSON.stringify(ON_REAL_NODE.tolerations)}`,
  ]);
}

/** `--set` arguments pointing the chart's images at the node's local images (the defaults stay the public ones). */
export function localImageValues(node: RealNode): string[] {
  const set = (key: string, image: { registry: string; repository: string; tag: string }) => [
    '--set', `${key}.registry=${image.registry}`,
    '--set', `${key}.repository=${image.repository}`,
    '--set-string', `${key}.tag=${image.tag}`,
    // Nothing can be pulled: a missing image must fail at once, not retry a registry.
    '--set', `${key}.pullPolicy=Never`,
  ];
  return [
    ...set('redis.image', node.images.redis),
    ...set('redis.sentinel.image', node.images.redis),
    ...set('monitoring.exporter.image', node.images['redis-exporter']),
    ...set('redis.masterEndpoint.image', node.images.haproxy),
  ];
}

/**
 * A pre-provisioned volume per claim (the local cluster has no provisioner): a folder on this machine owned
 * by the redis user, as an administrator prepares hostPath volumes (fsGroup does not apply to hostPath).
 */
export function provideNodeVolumes(cluster: TestCluster, namespace: string, objects: readonly K8sObject[]): void {
  const items = claimsOf(objects).map((claim) => {
    const dir = path.join(nodeDir(), 'volumes', namespace, claim.name);
    fs.mkdirSync(dir, { recursive: true });
    fs.chownSync(dir, REDIS_USER_ID, REDIS_USER_ID);
    fs.chmodSync(dir, 0o770);
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `${namespace}-${claim.name}`.slice(0, 253), labels: { 'session-database.test/run-namespace': namespace } },
      spec: {
        capacity: { storage: claim.size },
        accessModes: claim.accessModes,
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: claim.storageClassName ?? '',
        claimRef: { namespace, name: claim.name },
        hostPath: { path: dir, type: 'Directory' },
      },
    };
  });
  if (items.length) cluster.kubectlOk(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
}

/** redis-cli run inside the node's network namespace (where the pod addresses are routed). */
export function redisCliInNode(args: string[], password?: string): { status: number | null; stdout: string; stderr: string } {
  const [cmd, full] = inNode('redis-cli', ['--no-auth-warning', ...args]);
  const r = spawnSync(cmd, full, { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * The values of values/production.yaml on the real node: the local images, every workload on the node, TLS on
 * as in production (certificates from the real cert-manager controller, installProductionOnNode) and small
 * requests (two cores host the whole node; the production requests, 3 × 500m, would not fit).
 */
export function productionValuesOnNode(node: RealNode, namespace: string, extraArgs: string[] = []): string[] {
  return [
    ...namespacedValues('values/production.yaml', namespace),
    ...localImageValues(node),
    ...onRealNodeValues(['redis', 'redis.sentinel', 'redis.masterEndpoint', 'maintenance', 'healthCheck']),
    '--set', 'redis.resources.requests.cpu=50m',
    '--set', 'redis.resources.requests.memory=64Mi',
    ...extraArgs,
  ];
}

/**
 * `helm install --wait` of the production values on the real node (productionValuesOnNode), with cert-manager's
 * controller serving the namespace (stopped with the node). Returns the seconds from install until Ready.
 */
export async function installProductionOnNode(cluster: TestCluster, node: RealNode, namespace: string, extraArgs: string[] = []): Promise<number> {
  const valuesArgs = productionValuesOnNode(node, namespace, extraArgs);
  createAuthSecret(cluster, namespace);
  provideNodeVolumes(cluster, namespace, templateObjects(cluster, 4, namespace, valuesArgs));
  certManagers.push(await startCertManager({ namespace }));
  const started = Date.now();
  const r = cluster.helm(4, ['install', RELEASE, CHART, '-n', namespace, ...valuesArgs, '--wait', '--timeout', '6m'], 420_000);
  expectHelmOk(cluster, r, namespace);
  return (Date.now() - started) / 1000;
}

/**
 * redis-cli options for the release's TLS, as its clients connect: `--tls --cacert <the client CA>` (from the
 * Secret the client contract names) when the release has TLS on, nothing otherwise.
 */
export function redisTlsArgs(cluster: TestCluster, namespace: string): string[] {
  const known = tlsArgsOf.get(namespace);
  if (known) return known;
  const contract = cluster.json(['get', 'configmap', `${RELEASE}-client`, '-n', namespace]).data as Record<string, string>;
  if (contract.REDIS_TLS !== 'true') {
    tlsArgsOf.set(namespace, []);
    return [];
  }
  const ca = Buffer.from(cluster.json(['get', 'secret', contract.REDIS_TLS_CA_SECRET, '-n', namespace]).data[contract.REDIS_TLS_CA_KEY], 'base64');
  const file = path.join(nodeDir(), 'tls', `${namespace}-ca.crt`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, ca);
  tlsArgsOf.set(namespace, ['--tls', '--cacert', file]);
  return tlsArgsOf.get(namespace)!;
}
/** The CA of a release does not change (renewals keep its key), so it is read once per namespace. */
const tlsArgsOf = new Map<string, string[]>();

/** The pid (as this machine sees it) of a pod's container, from containerd's CRI labels. */
export function containerPid(node: RealNode, namespace: string, pod: string, container: string): number {
  const ctr = (args: string[]) => {
    const r = spawnSync(node.binaries.ctr, ['--address', path.join(nodeDir(), 'run', 'containerd.sock'), '--namespace', 'k8s.io', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const running = new Map(ctr(['tasks', 'ls']).split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[2] === 'RUNNING').map((f) => [f[0], Number(f[1])]));
  for (const [id, pid] of running) {
    const labels = JSON.parse(ctr(['containers', 'info', id])).Labels ?? {};
    if (labels['io.kubernetes.pod.namespace'] === namespace && labels['io.kubernetes.pod.name'] === pod && labels['io.kubernetes.container.name'] === container) return pid;
  }
  throw new Error(`no running container ${container} of ${namespace}/${pod}`);
}

/** The serial of a PEM certificate (openssl x509 -serial), e.g. "3F0A…". */
export function certificateSerial(pem: string): string {
  const r = spawnSync('openssl', ['x509', '-noout', '-serial'], { input: pem, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl x509: ${r.stderr}`);
  return r.stdout.trim().replace(/^serial=/, '');
}

/**
 * The certificate a TLS port on a pod address serves (openssl s_client from the node's network namespace),
 * verified against the CA file of redisTlsArgs: its serial and whether the chain verified.
 */
export function servedCertificate(address: string, port: number, caFile: string): { serial: string; verified: boolean } {
  const [cmd, args] = inNode('openssl', ['s_client', '-connect', `${address}:${port}`, '-CAfile', caFile]);
  const r = spawnSync(cmd, args, { input: '', encoding: 'utf8', timeout: 15_000 });
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout ?? '');
  if (!pem) throw new Error(`no certificate served on ${address}:${port}: ${r.stderr}`);
  return { serial: certificateSerial(pem[0]), verified: /Verify return code: 0 \(ok\)/.test(r.stdout) };
}
