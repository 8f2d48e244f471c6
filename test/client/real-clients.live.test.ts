/**
 * Real client libraries configured ONLY from the rendered client contract: the ConfigMap's keys as the
 * environment (envFrom), the passwords from the Secret it names (secretKeyRef), the CA from the client CA
 * Secret it names. ioredis and redis-py, each through the master endpoint (REDIS_URL, REDIS_CACHE_URL)
 * and through Sentinel (REDIS_SENTINELS, REDIS_MASTER_NAME), with TLS (values/production.yaml) and
 * without. The apps run with the pod's /etc/hosts, so the contract's DNS names are used as they are.
 */
import * as fs from 'fs';
import * as path from 'path';
import { redisPyPython } from '../../scripts/python/redis-py';
import { describeWithBinaries } from '../support/binaries';
import { K8sObject, configMapData, loadDist, renderEnvironment } from '../support/manifests';
import { CLUSTER_BINARIES, FAST_SCRIPT_ENV, MasterEndpoint, RedisCluster, run, settledCluster, startMasterEndpoint } from '../support/redis';

jest.setTimeout(180000);

const APPS = path.join(__dirname, 'apps');
const VARIANTS: [string, () => K8sObject[]][] = [
  ['with TLS (values/production.yaml)', () => loadDist('production')],
  ['without TLS (production with tls.enabled: false)', () => renderEnvironment('production', { tls: { enabled: false } })],
];

for (const [variant, objects] of VARIANTS) {
  describeWithBinaries([...CLUSTER_BINARIES, 'haproxy', 'unshare', 'python3'], `real clients from the contract alone, ${variant}`, () => {
    let cluster: RedisCluster;
    let endpoint: MasterEndpoint;
    let python: string;
    let env: Record<string, string>;
    const logged = settledCluster({ octet: 32, objects: objects(), env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

    beforeAll(async () => {
      endpoint = await startMasterEndpoint(cluster);
      python = await redisPyPython();
      // What a pod of the app gets: envFrom the ConfigMap, the passwords by secretKeyRef, the CA Secret mounted.
      const contract = configMapData(cluster.objects, `${cluster.fullname}-client`);
      const secret = cluster.secretData(contract.CREDENTIALS_SECRET);
      env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...contract,
        REDIS_PASSWORD: secret[contract.REDIS_PASSWORD_KEY],
        REDIS_CACHE_PASSWORD: secret[contract.REDIS_CACHE_PASSWORD_KEY],
        REDIS_SENTINEL_PASSWORD: secret[contract.REDIS_SENTINEL_PASSWORD_KEY],
      };
      if (contract.REDIS_TLS === 'true') {
        const caFile = path.join(cluster.root, 'app-ca.crt');
        fs.writeFileSync(caFile, cluster.secretData(contract.REDIS_TLS_CA_SECRET)[contract.REDIS_TLS_CA_KEY]);
        env.REDIS_TLS_CA_FILE = caFile;
      }
    });
    afterAll(() => endpoint?.stop());

    const apps: [string, () => string[]][] = [
      ['ioredis', () => [process.execPath, path.join(APPS, 'ioredis-app.js')]],
      ['redis-py', () => [python, path.join(APPS, 'redis_py_app.py')]],
    ];
    for (const [app, command] of apps) {
      for (const mode of ['url', 'sentinel'] as const) {
        const via = mode === 'url' ? 'through the master endpoint (REDIS_URL)' : 'through Sentinel discovery';
        test(`${app} writes a session with the contract's TTL and a cache entry ${via}, and reads them back`, logged(async () => {
          const id = `${app}-${mode}-${Date.now()}`;
          const [file, ...args] = endpoint.network.sandbox([...command(), mode, id]);
          const r = await run(file, args, { env, timeoutMs: 30000, cwd: path.resolve(__dirname, '../..') });
          if (r.code !== 0) throw new Error(`${app} ${mode} exited ${r.code}: ${r.stderr}`);
          const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
          const ttl = Number(env.SESSION_TTL_SECONDS);
          expect(out.role).toBe('master');
          expect(JSON.parse(out.read)).toEqual({ user: 'u-1', client: app, mode });
          expect(out.ttl).toBeGreaterThan(ttl - 10);
          expect(out.ttl).toBeLessThanOrEqual(ttl);
          expect(out.cacheRead).toBe('cached');
          expect(out.cacheTtl).toBeGreaterThan(Number(env.CACHE_DEFAULT_TTL_SECONDS) - 10);
          // On the master itself: the session in the sessions DB, the cache entry in the cache DB.
          const [master] = await cluster.masters();
          expect(await cluster.ask(master, 'monitor', 'INFO', 'keyspace')).toMatch(new RegExp(`db${env.REDIS_CACHE_DB}:keys=`));
          const sessions = cluster.direct(master, 'app', { db: Number(env.REDIS_DB) });
          const cache = cluster.direct(master, 'cache', { db: Number(env.REDIS_CACHE_DB) });
          const cacheInSessionsDb = cluster.direct(master, 'cache', { db: Number(env.REDIS_DB) });
          try {
            expect(await sessions.pttl(out.key)).toBeGreaterThan((ttl - 10) * 1000);
            expect(await cache.get(out.cacheKey)).toBe('cached');
            expect(await cacheInSessionsDb.exists(out.cacheKey)).toBe(0);
          } finally {
            for (const c of [sessions, cache, cacheInSessionsDb]) c.disconnect();
          }
        }));
      }
    }
  });
}
