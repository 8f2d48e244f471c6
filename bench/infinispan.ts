/**
 * The generated Infinispan cluster on loopback (test/support/infinispan/cluster.ts: the synthesized
 * StatefulSet env, ConfigMap and client contract, the real server from scripts/infinispan/install.ts).
 *   infinispan_cluster_start_s             3 servers started together until each sees a view of 3 (HEALTHY)
 *   infinispan_put_get_ops_s               Hot Rod, one topology-aware client configured from the contract, one request at a time
 *   infinispan_sessions_lost_on_node_kill  sessions missing after SIGKILL of one server (owners 2); must be 0
 */
import { Figure, round } from './figures';
import { infinispanCluster } from '../test/support/infinispan/cluster';
import { infinispanValues } from '../test/infinispan/values';

const OPS = 4000;
const SESSIONS = 1000;

export async function run(): Promise<Figure[]> {
  const cluster = infinispanCluster(infinispanValues({ infinispan: { cache: { owners: 2 } } }), { size: 3, subnet: 175 });
  try {
    const started = Date.now();
    cluster.startAll();
    await cluster.waitForView(3);
    const startSeconds = (Date.now() - started) / 1000;

    // Topology-aware, as an application's client is: each key goes straight to its primary owner.
    const client = await cluster.hotrod(cluster.nodes[0], undefined, { topologyAware: true });
    let opsPerSecond: number;
    try {
      for (let i = 0; i < 200; i++) await client.put(`warm-${i}`, 'x');
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < OPS / 2; i++) {
        await client.put(`bench-${i}`, `session-state-${i}`);
        await client.get(`bench-${i}`);
      }
      opsPerSecond = OPS / (Number(process.hrtime.bigint() - t0) / 1e9);
      for (let i = 0; i < SESSIONS; i++) await client.put(`kill-${i}`, `state-${i}`);
    } finally {
      await client.disconnect();
    }

    await cluster.kill(cluster.nodes[1]);
    const survivors = [cluster.nodes[0], cluster.nodes[2]];
    await cluster.waitForView(2, survivors);
    const reader = await cluster.hotrod(cluster.nodes[2]);
    let lost = 0;
    try {
      for (let i = 0; i < SESSIONS; i++) if ((await reader.get(`kill-${i}`)) !== `state-${i}`) lost++;
    } finally {
      await reader.disconnect();
    }
    return [
      { name: 'infinispan_cluster_start_s', value: round(startSeconds, 1), unit: 's', goal: '<= 60' },
      { name: 'infinispan_put_get_ops_s', value: round(opsPerSecond, 0), unit: 'ops/s', goal: '>= 500' },
      { name: 'infinispan_sessions_lost_on_node_kill', value: lost, unit: 'sessions', goal: '== 0' },
    ];
  } finally {
    await cluster.dispose();
  }
}
