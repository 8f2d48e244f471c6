import { describeWithBinaries } from '../../support/binaries';
import { ADMIN_CREDENTIALS, infinispanCluster, poll } from '../../support/infinispan/cluster';
import { infinispanValues } from '../values';

/**
 * Infinispan's own backup and restore over REST, as docs/infinispan.md tells an operator to do it, with the
 * admin identity infinispan.auth.admin.enabled creates from the auth Secret: back up, wipe, restore.
 */
const cluster = infinispanCluster(infinispanValues({ infinispan: { replicas: 2, auth: { admin: { enabled: true } } } }), { size: 2, subnet: 178 });
const [first, second] = cluster.nodes;
const cacheName = cluster.contract.INFINISPAN_CACHE_NAME;
const cachePath = (key: string) => `/rest/v2/caches/${cacheName}/${key}`;
const admin = { auth: ADMIN_CREDENTIALS };
const keys = Array.from({ length: 40 }, (_, i) => `backed-up-${i}`);

async function present(): Promise<number> {
  let n = 0;
  for (const key of keys) {
    const r = await cluster.request(second, 'GET', cachePath(key), { headers: { Accept: 'text/plain' } });
    if (r.status === 200 && r.body === `state-of-${key}`) n++;
  }
  return n;
}

describeWithBinaries(['java', 'mvn'], 'backup and restore of the generated Infinispan cluster', () => {
  beforeAll(async () => {
    cluster.startAll();
    await cluster.waitForView(2);
  }, 300_000);
  afterAll(() => cluster.dispose(), 120_000);

  test('the application identity may not take a backup (ADMIN only)', async () => {
    expect((await cluster.request(first, 'POST', '/rest/v2/container/backups/not-mine', { body: '{}', headers: { 'Content-Type': 'application/json' } })).status).toBe(403);
  });

  test('back up, wipe, restore: every session is back', async () => {
    for (const key of keys) {
      expect((await cluster.request(first, 'PUT', cachePath(key), { body: `state-of-${key}`, headers: { 'Content-Type': 'text/plain' } })).status).toBe(204);
    }
    const create = await cluster.request(first, 'POST', '/rest/v2/container/backups/sessions-backup', { ...admin, body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(create.status).toBe(202);
    let archive: Buffer = Buffer.alloc(0);
    await poll('the backup archive', async () => {
      const r = await cluster.request(first, 'GET', '/rest/v2/container/backups/sessions-backup', admin);
      if (r.status === 200) archive = r.raw;
      return r.status === 200;
    });
    expect(archive.subarray(0, 2).toString('latin1')).toBe('PK');

    expect((await cluster.request(first, 'POST', `/rest/v2/caches/${cacheName}?action=clear`, admin)).status).toBe(204);
    expect(await present()).toBe(0);

    const boundary = `----restore${Date.now()}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="backup"; filename="sessions-backup.zip"\r\nContent-Type: application/zip\r\n\r\n`),
      archive,
      Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="request"\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}--\r\n`),
    ]);
    const restore = await cluster.request(second, 'POST', '/rest/v2/container/restores/sessions-restore', {
      ...admin,
      body,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(restore.status).toBe(202);
    await poll('every session restored', async () => (await present()) === keys.length);
    expect(await present()).toBe(keys.length);
  }, 180_000);
});
