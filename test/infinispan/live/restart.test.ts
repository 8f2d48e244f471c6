import { describeWithBinaries } from '../../support/binaries';
import { ADMIN_CREDENTIALS, CREDENTIALS, infinispanCluster, poll } from '../../support/infinispan/cluster';
import { sleep } from '../../support/redis/processes';
import { infinispanValues } from '../values';

/**
 * Issue 17 (5), a full restart: every server stopped, then started again, and the file stores bring back every
 * session that had not expired. Three servers from the generated files with the defaults (owners 2, a
 * write-through soft-index file store in each server's own data volume, preload on, purge off) and the admin
 * identity (for the graceful cluster shutdown). The two ways docs/infinispan.md ("Stopping and starting the
 * whole cluster") guarantees; stopping all servers at once without the graceful shutdown is not one of them
 * (it loses sessions, see there).
 */
const cluster = infinispanCluster(infinispanValues({ infinispan: { cache: { owners: 2 }, auth: { admin: { enabled: true } } } }), { size: 3, subnet: 179 });
const cachePath = (key: string) => `/rest/v2/caches/${cluster.contract.INFINISPAN_CACHE_NAME}/${key}`;
const SESSIONS = 60;
/** Sessions with a lifespan that runs out while the cluster is down: the file store must not bring them back. */
const SHORT_LIVED = 10;
const SHORT_LIFESPAN_MS = 4_000;

async function write(prefix: string): Promise<{ live: string[]; expiring: string[] }> {
  const live = Array.from({ length: SESSIONS }, (_, i) => `${prefix}-${i}`);
  const expiring = Array.from({ length: SHORT_LIVED }, (_, i) => `${prefix}-short-${i}`);
  const client = await cluster.hotrod(cluster.nodes[0], undefined, { topologyAware: true });
  try {
    for (const key of live) await client.put(key, `state-of-${key}`);
    for (const key of expiring) await client.put(key, `state-of-${key}`, { lifespan: `${SHORT_LIFESPAN_MS}ms` });
  } finally {
    await client.disconnect();
  }
  return { live, expiring };
}

/** The sessions of `keys` that a server does not answer with their state (REST, as the application identity). */
async function missingOn(nodeIndex: number, keys: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const key of keys) {
    const r = await cluster.request(cluster.nodes[nodeIndex], 'GET', cachePath(key), { headers: { Accept: 'text/plain' } });
    if (r.status !== 200 || r.body !== `state-of-${key}`) missing.push(key);
  }
  return missing;
}

async function presentOn(nodeIndex: number, keys: string[]): Promise<string[]> {
  const present: string[] = [];
  for (const key of keys) if ((await cluster.request(cluster.nodes[nodeIndex], 'GET', cachePath(key))).status !== 404) present.push(key);
  return present;
}

async function expectEverySessionBack(written: { live: string[]; expiring: string[] }): Promise<void> {
  for (const node of cluster.nodes) {
    expect({ node: node.name, missing: await missingOn(node.index, written.live) }).toEqual({ node: node.name, missing: [] });
    expect({ node: node.name, expiredButBack: await presentOn(node.index, written.expiring) }).toEqual({ node: node.name, expiredButBack: [] });
  }
}

describeWithBinaries(['java', 'mvn'], 'a full restart of the generated Infinispan cluster', () => {
  beforeAll(async () => {
    cluster.startAll();
    await cluster.waitForView(3);
  }, 300_000);
  afterAll(() => cluster.dispose(), 120_000);

  test('scaled to 0 one server at a time and back (the StatefulSet is OrderedReady): every session that had not expired is back', async () => {
    const spec = cluster.statefulSet;
    expect([spec.replicas, spec.podManagementPolicy]).toEqual([3, 'OrderedReady']);
    const written = await write('ordered');
    const writtenAt = Date.now();

    // kubectl scale --replicas=2, then 1: each time the rebalance ends before the next step, and then every
    // remaining server holds every session (owners 2), so nothing lives only in a stopped server's store.
    for (const replicas of [2, 1]) {
      await cluster.scale(replicas);
      const remaining = cluster.nodes.slice(0, replicas);
      await cluster.waitForView(replicas, remaining);
      await poll(`every session on each of the ${replicas} remaining servers`, async () => {
        const held = await cluster.distribution(remaining[0]);
        return remaining.every((n) => (held[n.name] ?? 0) >= SESSIONS);
      });
    }
    await cluster.scale(0);
    expect(cluster.nodes.filter((n) => n.process)).toEqual([]);

    // The short lifespans run out while every server is down.
    await sleep(Math.max(0, writtenAt + SHORT_LIFESPAN_MS + 500 - Date.now()));
    // kubectl scale --replicas=3: pod 0 (stopped last, holding everything) alone until Ready, then 1, then 2.
    await cluster.scale(3);
    await cluster.waitForView(3);
    await expectEverySessionBack(written);
  }, 600_000);

  test('after a graceful cluster shutdown (`shutdown cluster`, admin) all servers may start at once: every session that had not expired is back', async () => {
    const written = await write('graceful');
    const writtenAt = Date.now();
    const [first] = cluster.nodes;
    // The application identity may not stop the cluster (LIFECYCLE); the admin may.
    expect((await cluster.request(first, 'POST', '/rest/v2/cluster?action=stop', { auth: CREDENTIALS })).status).toBe(403);
    expect((await cluster.request(first, 'POST', '/rest/v2/cluster?action=stop', { auth: ADMIN_CREDENTIALS })).status).toBe(204);
    // Every server persists its state (the consistent hash) and exits by itself.
    await poll('every server exited', async () => cluster.nodes.every((n) => !n.process), 120_000);

    await sleep(Math.max(0, writtenAt + SHORT_LIFESPAN_MS + 500 - Date.now()));
    // All at once, as the kubelet restarts the exited containers: each member takes back its own segments.
    cluster.startAll();
    await cluster.waitForView(3);
    await expectEverySessionBack(written);
  }, 600_000);
});
