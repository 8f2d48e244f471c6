/**
 * Figures of the real node (scripts/node, test/node): what its builds cost (as recorded when the cached
 * binaries were built, cold only), the node's start, and a production `helm install --wait` on it
 * (`k8s_helm_install_ready_s`). The cluster is started if needed and stopped again if this started it.
 */
import { coldBuildSeconds } from '../scripts/cluster/build';
import { down as clusterDown, up as clusterUp } from '../scripts/cluster/cluster';
import { down, up } from '../scripts/node/node';
import { connect, createNamespace, deleteNamespace } from '../test/support/cluster';
import { installProductionOnNode } from '../test/node/support';
import { Figure, round } from './figures';

/** A build that compiled fewer packages than this reused a warm Go build cache: not a cold figure. */
const COLD_MIN_PACKAGES = { containerd: 500, runc: 50, coredns: 800, 'kube-network-policies': 400 } as const;


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
      const seconds = installProductionOnNode({ ...c, namespace: () => ns }, node, ns);
      figures.push({ name: 'k8s_helm_install_ready_s', value: round(seconds), unit: 's', goal: '<= 60' });
    } finally {
      deleteNamespace(c, ns);
    }
  } finally {
    await down();
    await clusterDown(owner);
  }
  return figures;
}
