import { describeWithBinaries } from '../../support/binaries';
import { infinispanCluster } from '../../support/infinispan/cluster';
import { infinispanValues } from '../values';

/**
 * Node loss on three servers from the generated files: owners 2, the file store of each server in its own
 * data volume (write-through, preload), as the defaults configure it. The full restart (every server stopped
 * and started again) is restart.test.ts.
 */
const cluster = infinispanCluster(infinispanValues({ infinispan: { cache: { owners: 2 } } }), { size: 3, subnet: 173 });
const cachePath = (key: string) => `/rest/v2/caches/${cluster.contract.INFINISPAN_CACHE_NAME}/${key}`;
const SESSIONS = 60;
const keys = Array.from({ length: SESSIONS }, (_, i) => `durable-${i}`);

async function missingOn(nodeIndex: number): Promise<string[]> {
  const node = cluster.nodes[nodeIndex];
  const missing: string[] = [];
  for (const key of keys) {
    const r = await cluster.request(node, 'GET', cachePath(key), { headers: { Accept: 'text/plain' } });
    if (r.status !== 200 || r.body !== `state-of-${key}`) missing.push(key);
  }
  return missing;
}

describeWithBinaries(['java', 'mvn'], 'sessions in the generated Infinispan cluster survive the loss of a node', () => {
  beforeAll(async () => {
    cluster.startAll();
    await cluster.waitForView(3);
    const client = await cluster.hotrod(cluster.nodes[0]);
    try {
      for (const key of keys) await client.put(key, `state-of-${key}`);
    } finally {
      await client.disconnect();
    }
  }, 300_000);
  afterAll(() => cluster.dispose(), 120_000);

  test('killing any one server (SIGKILL) loses no session: the two others serve all of them', async () => {
    for (const victim of [0, 1, 2]) {
      await cluster.kill(cluster.nodes[victim]);
      const survivors = cluster.nodes.filter((n) => n.index !== victim);
      await cluster.waitForView(2, survivors);
      for (const s of survivors) expect(await missingOn(s.index)).toEqual([]);
      cluster.start(cluster.nodes[victim]);
      await cluster.waitForView(3);
    }
  }, 600_000);
});
