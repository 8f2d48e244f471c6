import { FAKE_NODES } from '../../scripts/cluster/cluster';
import { IN_CI } from '../support/binaries';
import { eventually, expectHelmOk, installChart, installChartNow, TestCluster, useCluster, withNodesLock } from '../support/cluster';

/**
 * Issue 12, proof 4: the real scheduler, with the production spread constraints (maxSkew 1 over
 * kubernetes.io/hostname: DoNotSchedule for Redis, ScheduleAnyway for Sentinel), puts the 3 Redis and the
 * 3 Sentinel pods in 3 different zones of a 3-zone cluster, and does what the README says (Scaling: "Fewer
 * zones than pods") with only 2 zones, and with a third zone that takes no pods (cordoned).
 * The node changes hold the nodes lock, so no other test creates pods meanwhile.
 */
const cluster = useCluster();
jest.setTimeout(600_000);

function placement(c: TestCluster, namespace: string, component: string): { name: string; node?: string; zone?: string; phase: string }[] {
  const nodes = new Map((c.json(['get', 'nodes']).items as any[]).map((n) => [n.metadata.name, n.metadata.labels['topology.kubernetes.io/zone']]));
  return (c.json(['get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/component=${component}`]).items as any[]).map((p) => ({
    name: p.metadata.name,
    node: p.spec.nodeName,
    zone: nodes.get(p.spec.nodeName),
    phase: p.status.phase,
  }));
}

const perZone = (pods: { zone?: string }[]) => [...pods.reduce((m, p) => m.set(p.zone, (m.get(p.zone) ?? 0) + 1), new Map<string | undefined, number>()).values()].sort();

/** Changes the nodes for body (local cluster only: it never touches the nodes of another cluster). */
async function withNodes(title: string, change: string[][], undo: string[][], body: () => Promise<void> | void): Promise<void> {
  if (!cluster.local) {
    const message = `${title}: changes nodes of the local cluster; it does not run against SESSION_DATABASE_KUBECONFIG`;
    if (IN_CI) throw new Error(message);
    console.warn(`\n!!! SKIPPED — ${message}\n`);
    return;
  }
  await withNodesLock(async () => {
    for (const args of change) cluster.kubectlOk(args);
    try {
      await body();
    } finally {
      for (const args of undo) cluster.kubectl(args);
    }
  });
}

test('production: the 3 Redis and the 3 Sentinel pods run in 3 different zones', async () => {
  const ns = cluster.namespace('zones-3');
  expectHelmOk(cluster, await installChart(cluster, { major: 4, namespace: ns, valuesFile: 'values/production.yaml' }), ns);
  for (const component of ['redis', 'sentinel']) {
    const pods = placement(cluster, ns, component);
    expect(pods).toHaveLength(3);
    expect(new Set(pods.map((p) => p.zone)).size).toBe(3);
    expect(new Set(pods.map((p) => p.node)).size).toBe(3);
  }
});

const [a, b, c] = FAKE_NODES;

test('production with only 2 zones: every pod runs, two of each in one zone (skew 1)', async () => {
  // Node c joins zone b (and b's failure domain): the cluster has 2 zones, one with 2 nodes.
  const label = (zone: string, hostname: string) => ['label', 'node', c.name, '--overwrite', `topology.kubernetes.io/zone=${zone}`, `kubernetes.io/hostname=${hostname}`];
  await withNodes('the 2-zone case', [label(b.zone, b.name)], [label(c.zone, c.name)], () => {
    const ns = cluster.namespace('zones-2');
    expectHelmOk(cluster, installChartNow(cluster, { major: 4, namespace: ns, valuesFile: 'values/production.yaml' }), ns);
    for (const component of ['redis', 'sentinel']) {
      const pods = placement(cluster, ns, component);
      expect(pods.map((p) => p.phase)).toEqual(['Running', 'Running', 'Running']);
      expect(perZone(pods)).toEqual([1, 2]);
    }
  });
});

test('production with a third zone that takes no pods (cordoned): one Redis pod waits Pending until it does; the Sentinels all run', async () => {
  await withNodes('the cordoned-zone case', [['cordon', c.name]], [['uncordon', c.name]], async () => {
    const ns = cluster.namespace('zones-cordoned');
    // helm install --wait cannot succeed: install without waiting and look at the pods.
    const r = installChartNow(cluster, { major: 4, namespace: ns, valuesFile: 'values/production.yaml', wait: false });
    expectHelmOk(cluster, r, ns);
    const redis = await eventually('two Redis pods running and one Pending for a while', () => {
      const pods = placement(cluster, ns, 'redis');
      return pods.filter((p) => p.phase === 'Running').length === 2 && pods.some((p) => p.phase === 'Pending') ? pods : undefined;
    });
    expect(redis.map((p) => p.zone).filter(Boolean).sort()).toEqual([a.zone, b.zone]);
    const pending = redis.find((p) => p.phase === 'Pending')!;
    const reason = await eventually('the scheduler says why', () => {
      const pod = cluster.json(['get', 'pod', pending.name, '-n', ns]);
      const message: string = pod.status.conditions?.find((c: any) => c.type === 'PodScheduled')?.message ?? '';
      return /topology spread/.test(message) ? message : undefined;
    });
    expect(reason).toMatch(/^0\/\d+ nodes are available: .*2 node\(s\) didn't match pod topology spread constraints/);
    const sentinels = await eventually('the Sentinels running', () => {
      const pods = placement(cluster, ns, 'sentinel');
      return pods.length === 3 && pods.every((p) => p.phase === 'Running') ? pods : undefined;
    });
    expect(perZone(sentinels)).toEqual([1, 2]);
    // The zone comes back: the waiting pod goes there.
    cluster.kubectlOk(['uncordon', c.name]);
    await eventually('the third Redis pod scheduled in zone c', () => placement(cluster, ns, 'redis').find((p) => p.name === pending.name && p.zone === c.zone && p.phase === 'Running'));
  });
});
