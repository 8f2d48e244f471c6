/**
 * Figures of the real node (scripts/node, test/node): what its builds cost (as recorded when the cached
 * binaries were built, cold only), the node's start, and a production `helm install --wait` on it
 * (`k8s_helm_install_ready_s`), and the drills of test/node timed: crash failover (median of 3), the planned
 * handover gap of a pod deletion and of a rolling upgrade, and the acknowledged writes lost in all of them. The cluster is started if needed and stopped again if this started it.
 */
import { coldBuildSeconds } from '../scripts/cluster/build';
import { down as clusterDown, up as clusterUp } from '../scripts/cluster/cluster';
import { down, up } from '../scripts/node/node';
import { connect, createNamespace, deleteNamespace } from '../test/support/cluster';
import { installProductionOnNode, stopCertManagers } from '../test/node/support';
import { RELEASE } from '../test/support/helm';
import { startDrillClient } from '../test/node/drill-client';
import { crashDrill, deletePodDrill, DrillResult, rollingUpgradeDrill } from '../test/node/drills';
import { Figure, median, round } from './figures';

/** A build that compiled fewer packages than this reused a warm Go build cache: not a cold figure. */
const COLD_MIN_PACKAGES = { containerd: 500, runc: 50, coredns: 800, 'kube-router': 400 } as const;


export async function run(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const cold = coldBuildSeconds(COLD_MIN_PACKAGES);
  if (cold !== undefined) figures.push({ name: 'node_cold_build_s', value: round(cold), unit: 's', goal: 'reference' });
  else process.stderr.write('bench: node_cold_build_s not measured (the cached binaries were built on a warm Go build cache)\n');

  const owner = `bench-node-${process.pid}`;
  const cluster = await clusterUp({ owner });
  try {
    const node = await up();
    figures.push({ name: 'node_start_s', value: round(node.startSeconds), unit: 's', goal: '<= 30' });
    const c = connect(cluster.kubeconfig, cluster.binaries, true);
    const ns = createNamespace(c, `sdb-bench-node-${process.pid}`, { 'session-database/clients': 'true' });
    try {
      const tc = { ...c, namespace: () => ns };
      const seconds = await installProductionOnNode(tc, node, ns);
      figures.push({ name: 'k8s_helm_install_ready_s', value: round(seconds), unit: 's', goal: '<= 60' });

      // The drills of test/node, timed: the write gap a client sees (last acknowledged write before the
      // disturbance to the first after it), and acknowledged writes the master lacks afterwards.
      const client = await startDrillClient(tc, node, ns, RELEASE);
      const crashes: number[] = [];
      let lost = 0;
      const report = (what: string, r: DrillResult) => {
        lost += r.lost.length;
        process.stderr.write(`bench: ${what}: ${r.masterBefore} -> ${r.masterAfter}, gap ${r.gapSeconds.toFixed(2)} s, ${r.lost.length} lost\n`);
      };
      for (let i = 0; i < 3; i++) {
        const r = await crashDrill(tc, node, ns, client);
        report(`crash ${i + 1}`, r);
        crashes.push(r.gapSeconds);
      }
      const deleted = await deletePodDrill(tc, ns, client);
      report('delete pod', deleted);
      const rolled = await rollingUpgradeDrill(tc, node, ns, client, `bench-${process.pid}`);
      report(`rolling upgrade (${rolled.order.join(', ')})`, rolled);
      figures.push(
        { name: 'k8s_failover_crash_s', value: round(median(crashes), 2), unit: 's', goal: '<= 6' },
        { name: 'k8s_failover_delete_pod_gap_s', value: round(deleted.gapSeconds, 2), unit: 's', goal: '<= 1' },
        { name: 'k8s_rolling_upgrade_gap_s', value: round(rolled.gapSeconds, 2), unit: 's', goal: '<= 1' },
        { name: 'k8s_acked_writes_lost', value: lost, unit: 'writes', goal: '== 0' },
      );
    } finally {
      await stopCertManagers();
      deleteNamespace(c, ns);
    }
  } finally {
    await down();
    await clusterDown(owner);
  }
  return figures;
}
