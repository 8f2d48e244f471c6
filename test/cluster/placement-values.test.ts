import { FAKE_NODES } from '../../scripts/cluster/cluster';
import { IN_CI } from '../support/binaries';
import { eventually, expectHelmOk, installChart, installChartNow, useCluster, withNodesLock } from '../support/cluster';

/**
 * The workload values that steer pods, proven by the real scheduler and controllers: a nodeSelector and a
 * required node affinity put the pod where they say, a tainted cluster takes only pods with the
 * toleration, and global.imagePullSecrets reaches every pod the StatefulSet, Deployment and Job
 * controllers create.
 */
const cluster = useCluster();
jest.setTimeout(600_000);

const [, b, c] = FAKE_NODES;
const TAINT = { key: 'dedicated', value: 'sessions', effect: 'NoSchedule' } as const;

const podsOf = (ns: string, selector = 'app.kubernetes.io/instance=session-database') => cluster.json(['get', 'pods', '-n', ns, '-l', selector]).items as any[];
const nodeOf = (name: string) => cluster.json(['get', 'node', name]);

/** Local cluster only: the test changes nodes. */
function localOnly(title: string): boolean {
  if (cluster.local) return true;
  const message = `${title}: changes nodes of the local cluster; it does not run against SESSION_DATABASE_KUBECONFIG`;
  if (IN_CI) throw new Error(message);
  console.warn(`\n!!! SKIPPED — ${message}\n`);
  return false;
}

test('redis.nodeSelector puts the Redis pod on the node with that label', async () => {
  const ns = cluster.namespace('node-selector');
  const r = await installChart(cluster, {
    major: 4, namespace: ns, valuesFile: 'values/dev.yaml',
    extraArgs: ['--set-json', `redis.nodeSelector={"topology.kubernetes.io/zone":"${b.zone}"}`],
  });
  expectHelmOk(cluster, r, ns);
  const [pod] = podsOf(ns, 'app.kubernetes.io/component=redis');
  expect(pod.spec.nodeSelector).toEqual({ 'topology.kubernetes.io/zone': b.zone });
  expect(pod.spec.nodeName).toBe(b.name);
  expect(nodeOf(pod.spec.nodeName).metadata.labels['topology.kubernetes.io/zone']).toBe(b.zone);
});

test('a required node affinity from redis.affinity.nodeAffinity puts the pod in that zone (Helm 3)', async () => {
  const ns = cluster.namespace('node-affinity');
  const affinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [c.zone] }] }] } };
  const r = await installChart(cluster, { major: 3, namespace: ns, valuesFile: 'values/dev.yaml', extraArgs: ['--set-json', `redis.affinity.nodeAffinity=${JSON.stringify(affinity)}`] });
  expectHelmOk(cluster, r, ns);
  const [pod] = podsOf(ns, 'app.kubernetes.io/component=redis');
  expect(pod.spec.affinity.nodeAffinity).toEqual(affinity);
  expect(pod.spec.nodeName).toBe(c.name);
});

test('on tainted nodes the Redis pod waits Pending without redis.tolerations and runs with them', async () => {
  if (!localOnly('the taint case')) return;
  const taint = `${TAINT.key}=${TAINT.value}:${TAINT.effect}`;
  await withNodesLock(async () => {
    for (const node of FAKE_NODES) cluster.kubectlOk(['taint', 'node', node.name, taint, '--overwrite']);
    try {
      const without = cluster.namespace('untolerated');
      expectHelmOk(cluster, installChartNow(cluster, { major: 4, namespace: without, valuesFile: 'values/dev.yaml', wait: false }), without);
      const reason = await eventually('the scheduler refusing the untolerated pod', () => {
        const [pod] = podsOf(without, 'app.kubernetes.io/component=redis');
        const message: string = pod?.status?.conditions?.find((x: any) => x.type === 'PodScheduled')?.message ?? '';
        return pod?.status?.phase === 'Pending' && /untolerated taint/.test(message) ? message : undefined;
      });
      // Every node of the cluster (the 3 kwok nodes, and the tainted real node while test/node runs) refuses it.
      expect(reason).toMatch(/^0\/(\d+) nodes are available: \1 node\(s\) had untolerated taint/);

      const tolerated = cluster.namespace('tolerated');
      const tolerations = [{ key: TAINT.key, operator: 'Equal', value: TAINT.value, effect: TAINT.effect }];
      const r = installChartNow(cluster, { major: 4, namespace: tolerated, valuesFile: 'values/dev.yaml', extraArgs: ['--set-json', `redis.tolerations=${JSON.stringify(tolerations)}`] });
      expectHelmOk(cluster, r, tolerated);
      const [pod] = podsOf(tolerated, 'app.kubernetes.io/component=redis');
      expect(pod.status.phase).toBe('Running');
      expect(pod.spec.tolerations).toEqual(expect.arrayContaining(tolerations));
    } finally {
      for (const node of FAKE_NODES) cluster.kubectl(['taint', 'node', node.name, `${TAINT.key}:${TAINT.effect}-`]);
    }
  });
});

test('global.imagePullSecrets reaches every pod the controllers create, Job pods included, with the per-image secrets', async () => {
  const ns = cluster.namespace('pull-secrets');
  const r = await installChart(cluster, {
    major: 4, namespace: ns, valuesFile: 'values/production.yaml',
    extraArgs: ['--set', 'global.imagePullSecrets[0]=regcred', '--set', 'redis.image.pullSecrets[0]=redis-mirror'],
  });
  expectHelmOk(cluster, r, ns);
  // A Job from each CronJob, as the CronJob controller would create it.
  const cronJobs = (cluster.json(['get', 'cronjobs', '-n', ns]).items as any[]).map((j) => j.metadata.name);
  expect(cronJobs.length).toBeGreaterThan(0);
  for (const name of cronJobs) cluster.kubectlOk(['create', 'job', `${name.slice(0, 40)}-now`, `--from=cronjob/${name}`, '-n', ns]);
  const pods = await eventually('the Job pods created', () => {
    const all = podsOf(ns);
    return all.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === 'maintenance').length >= cronJobs.length ? all : undefined;
  });
  const secretsByPod = Object.fromEntries(pods.map((p) => [p.metadata.name, (p.spec.imagePullSecrets ?? []).map((s: any) => s.name).sort()]));
  for (const [pod, secrets] of Object.entries(secretsByPod)) expect([pod, secrets]).toEqual([pod, expect.arrayContaining(['regcred'])]);
  // redis.image.pullSecrets go to the pods that run that image, and only to them.
  const byComponent = (component: string) => pods.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === component).map((p) => secretsByPod[p.metadata.name]);
  expect(byComponent('redis')).toEqual([['redis-mirror', 'regcred'], ['redis-mirror', 'regcred'], ['redis-mirror', 'regcred']]);
  expect(byComponent('sentinel')).toEqual([['regcred'], ['regcred'], ['regcred']]);
});

