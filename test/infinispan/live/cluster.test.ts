import { describeWithBinaries } from '../../support/binaries';
import { ADMIN_CREDENTIALS, CREDENTIALS, infinispanCluster } from '../../support/infinispan/cluster';
import { infinispanValues } from '../values';
import { renderInfinispan } from '../values';
import { findObject, FULLNAME } from '../../support/manifests';

/**
 * Three servers from the synthesized StatefulSet, ConfigMap (server config, identities batch, start script)
 * and client contract, on loopback. One cluster serves every test here (each JVM start costs ~30 s).
 */
// Segments off their default (256), so the live check below shows the value travelling from values to the cache;
// the admin identity may read the cache configuration, which the application identity rightly may not.
const values = infinispanValues({
  infinispan: { cache: { owners: 2, segments: 64 }, auth: { admin: { enabled: true } }, metrics: { prometheusRule: { enabled: true } } },
});
const cluster = infinispanCluster(values, { size: 3, subnet: 171 });
const [first, second, third] = cluster.nodes;
const cacheName = cluster.contract.INFINISPAN_CACHE_NAME;
const cachePath = (key = '') => `/rest/v2/caches/${cacheName}${key ? `/${key}` : ''}`;

describeWithBinaries(['java', 'mvn'], 'a three-server Infinispan cluster from the generated files', () => {
  beforeAll(async () => {
    cluster.startAll();
    await cluster.waitForView(3);
  }, 300_000);
  afterAll(() => cluster.dispose(), 120_000);

  test('forms one view of three members over the generated JGroups stack', async () => {
    for (const node of cluster.nodes) expect(await cluster.viewSize(node)).toBe(3);
  });

  test('runs the sessions cache distributed with the configured owners and segments (read as the admin)', async () => {
    const path = `${cachePath()}?action=config`;
    expect((await cluster.request(first, 'GET', path, { headers: { Accept: 'application/json' } })).status).toBe(403);
    const reply = await cluster.request(first, 'GET', path, { auth: ADMIN_CREDENTIALS, headers: { Accept: 'application/json' } });
    expect(reply.status).toBe(200);
    const dist = JSON.parse(reply.body)[cacheName]['distributed-cache'];
    expect([Number(dist.owners), Number(dist.segments), dist.mode]).toEqual([2, 64, 'SYNC']);
  });

  test('keeps every session on exactly the configured number of owners, spread over all members', async () => {
    const sessions = 30;
    for (let i = 0; i < sessions; i++) {
      const put = await cluster.request(cluster.nodes[i % 3], 'PUT', cachePath(`spread-${i}`), { body: `s${i}`, headers: { 'Content-Type': 'text/plain' } });
      expect(put.status).toBe(204);
    }
    const held = await cluster.distribution(second);
    expect(Object.keys(held).sort()).toEqual(cluster.nodes.map((n) => n.name).sort());
    expect(Object.values(held).reduce((sum, n) => sum + n, 0)).toBe(2 * sessions);
    for (const n of Object.values(held)) expect(n).toBeGreaterThan(0);
    for (let i = 0; i < sessions; i++) expect((await cluster.request(first, 'DELETE', cachePath(`spread-${i}`))).status).toBe(204);
  });

  test('a Hot Rod client configured from the client contract writes, reads and deletes sessions', async () => {
    const client = await cluster.hotrod(first);
    try {
      await client.put('session-hotrod', 'state-1');
      expect(await client.get('session-hotrod')).toBe('state-1');
      expect(await client.remove('session-hotrod')).toBe(true);
      expect(await client.get('session-hotrod')).toBeUndefined();
    } finally {
      await client.disconnect();
    }
  });

  test('REST with DIGEST as the generated identity writes, reads and deletes sessions, across members', async () => {
    const put = await cluster.request(first, 'PUT', cachePath('session-rest'), { body: 'state-2', headers: { 'Content-Type': 'text/plain' } });
    expect(put.status).toBe(204);
    const read = await cluster.request(third, 'GET', cachePath('session-rest'), { headers: { Accept: 'text/plain' } });
    expect([read.status, read.body]).toEqual([200, 'state-2']);
    expect((await cluster.request(second, 'DELETE', cachePath('session-rest'))).status).toBe(204);
    expect((await cluster.request(first, 'GET', cachePath('session-rest'))).status).toBe(404);
  });

  test('refuses REST without credentials and with a wrong password', async () => {
    expect((await cluster.request(first, 'GET', cachePath('x'), { auth: false })).status).toBe(401);
    expect((await cluster.request(first, 'GET', cachePath('x'), { auth: { username: CREDENTIALS.username, password: 'wrong' } })).status).toBe(401); // pragma: allowlist secret -- a wrong password the test expects refused
  });

  test('refuses Hot Rod with a wrong password', async () => {
    await expect(
      (async () => {
        const client = await cluster.hotrod(first, { username: CREDENTIALS.username, password: 'wrong' }); // pragma: allowlist secret -- a wrong password the test expects refused
        try {
          await client.get('x');
        } finally {
          await client.disconnect();
        }
      })(),
    ).rejects.toBeDefined();
  });

  test('every metric the alert rules use is in the live /metrics output', async () => {
    const objects = renderInfinispan(values);
    const rule = findObject(objects, 'PrometheusRule', `${FULLNAME}-infinispan`);
    const used = new Set<string>();
    for (const group of rule.spec.groups) for (const r of group.rules) for (const m of String(r.expr).matchAll(/\b(vendor_[a-z0-9_]+)/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(0);
    const metrics = (await cluster.request(first, 'GET', '/metrics', { auth: false })).body;
    const exposed = new Set([...metrics.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
