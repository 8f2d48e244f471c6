import Redis from 'ioredis';
import { describeWithBinaries } from '../support/binaries';
import { renderEnvironment } from '../support/manifests';
import { sleep } from '../support/redis';
import { Lab, Node, snapshot } from './lab';
import {
  cacheDataset, cacheValue, clear, expectedCache, expectedSessions, sessionDataset, sessionValue, writeCache, writeSessions,
} from './dataset';

jest.setTimeout(120000);

const PREFIX = 'sess-t:';
const MAX_SESSIONS = 3;
const MAX_REFRESH = 2;
const MAX_CACHE = 20;
const TTL = 3600;

/** "key=value" pairs of a summary line. */
function summary(stdout: string, name: string): Record<string, number> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${name}: `));
  return Object.fromEntries([...lines[0].matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

/** The state of a DB as key → value (zsets as [member, score] lists, strings as their value). */
async function state(c: Redis, match: string): Promise<Map<string, string>> {
  const snap = await snapshot(c, match);
  return new Map([...snap].map(([k, v]) => [k, v.value]));
}

describeWithBinaries(['redis-server', 'redis-cli'], 'the maintenance cleanup jobs on real Redis', () => {
  const objects = renderEnvironment('dev', {
    sessions: { keyPrefix: PREFIX, maxSessionsPerUser: MAX_SESSIONS, maxRefreshTokensPerUser: MAX_REFRESH, ttlSeconds: TTL },
    cache: { maxEntriesPerService: MAX_CACHE },
    maintenance: { sessionCleanup: { batchSize: 25 }, cacheCleanup: { batchSize: 7 } },
  });
  let lab: Lab;
  let node: Node;
  let app: Redis;
  let appCacheDb: Redis;
  let cache: Redis;
  const runSessions = () => lab.runJob('session-cleanup', { redisHost: node.ip });
  const runCache = () => lab.runJob('cache-cleanup', { redisHost: node.ip });

  beforeAll(async () => {
    lab = new Lab(objects);
    node = await lab.startRedis('127.0.20.1');
    app = lab.client(node, 'app', 0);
    appCacheDb = lab.client(node, 'app', 1);
    cache = lab.client(node, 'cache', 1);
  });
  afterAll(async () => {
    await lab?.dispose();
  });
  beforeEach(async () => {
    await clear(app, `${PREFIX}*`);
    await clear(cache, 'cache*');
    await clear(appCacheDb, `${PREFIX}*`);
  });

  test('one session cleanup run leaves exactly the newest live sessions and refresh tokens of every user', async () => {
    const data = sessionDataset(1, 400);
    await writeSessions(app, PREFIX, data, TTL);
    // Keys the cleanup must not touch: a session nobody indexes, a non-zset under the index prefix.
    await app.set(`${PREFIX}orphan1`, 'lonely', 'EX', TTL);
    await app.set(`${PREFIX}user:not-a-zset`, 'string');
    await sleep(20);
    const expected = expectedSessions(PREFIX, data, MAX_SESSIONS, MAX_REFRESH);
    expected.keys.set(`${PREFIX}orphan1`, 'lonely');
    expected.keys.set(`${PREFIX}user:not-a-zset`, 'string');
    const ttlsBefore = await snapshot(app, `${PREFIX}*`);

    const r = await runSessions();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = summary(r.stdout, 'session-cleanup');
    expect(s).toMatchObject({
      scanned: expected.entries,
      expired_entries: expected.removed,
      evicted_sessions: expected.evictedSessions,
      evicted_refresh_tokens: expected.evictedRefresh,
      removed: expected.removed + expected.evictedSessions + expected.evictedRefresh,
    });
    expect(s.batches).toBeGreaterThan(10);
    expect(s.evicted_sessions).toBeGreaterThan(0);
    expect(s.evicted_refresh_tokens).toBeGreaterThan(0);
    expect(s.expired_entries).toBeGreaterThan(0);

    const after = await snapshot(app, `${PREFIX}*`);
    expect(new Map([...after].map(([k, v]) => [k, v.value]))).toEqual(expected.keys);
    // Surviving session keys keep their TTL (the cleanup never rewrites them).
    for (const [k, v] of after) {
      if (!k.includes(':user')) expect(Math.abs(v.pttl - ttlsBefore.get(k)!.pttl)).toBeLessThan(5000);
    }
  });

  test('a second run finds nothing to do and changes nothing', async () => {
    await writeSessions(app, PREFIX, sessionDataset(2, 150), TTL);
    await sleep(20);
    expect((await runSessions()).code).toBe(0);
    const first = await state(app, `${PREFIX}*`);
    const r = await runSessions();
    expect(summary(r.stdout, 'session-cleanup')).toMatchObject({ removed: 0, evicted_sessions: 0, evicted_refresh_tokens: 0 });
    expect(await state(app, `${PREFIX}*`)).toEqual(first);
  });

  test('two runs at the same time give the same result as one', async () => {
    const data = sessionDataset(3, 600);
    await writeSessions(app, PREFIX, data, TTL);
    await sleep(20);
    const [a, b] = await Promise.all([runSessions(), runSessions()]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const sa = summary(a.stdout, 'session-cleanup');
    const sb = summary(b.stdout, 'session-cleanup');
    const expected = expectedSessions(PREFIX, data, MAX_SESSIONS, MAX_REFRESH);
    // Between them every removal happened exactly once.
    expect(sa.evicted_sessions + sb.evicted_sessions).toBe(expected.evictedSessions);
    expect(sa.expired_entries + sb.expired_entries).toBe(expected.removed);
    expect(await state(app, `${PREFIX}*`)).toEqual(expected.keys);
  });

  test('a run during live app traffic loses no live session', async () => {
    const data = sessionDataset(4, 4000);
    await writeSessions(app, PREFIX, data, TTL);
    await sleep(20);
    const expected = expectedSessions(PREFIX, data, MAX_SESSIONS, MAX_REFRESH);
    // The app keeps creating sessions for new users (within the limit) and reading existing ones.
    const created: string[] = [];
    let running = true;
    let reads = 0;
    let ops = 0;
    const liveKeys = [...expected.keys.keys()].filter((k) => !k.includes(':user') && !k.includes(':refresh:'));
    const traffic = (async () => {
      for (let n = 0; running; n++) {
        const user = `live${n % 300}`;
        const id = `live${n}`;
        if (Math.floor(n / 300) < MAX_SESSIONS) {
          await app.multi().set(`${PREFIX}${id}`, sessionValue(PREFIX, user, id), 'EX', TTL).zadd(`${PREFIX}user:${user}`, Date.now(), id).exec();
          created.push(id);
        }
        const v = await app.get(liveKeys[n % liveKeys.length]);
        if (v !== null) reads++;
        ops++;
      }
    })();
    await sleep(100);
    const opsBefore = ops;
    const r = await runSessions();
    const opsDuring = ops - opsBefore;
    await sleep(50);
    running = false;
    await traffic;
    expect(r.code).toBe(0);
    // The traffic really overlapped the run.
    expect(opsDuring).toBeGreaterThan(100);
    expect(summary(r.stdout, 'session-cleanup').removed).toBeGreaterThan(1000);
    expect(created.length).toBeGreaterThan(100);
    expect(reads).toBeGreaterThan(100);
    const after = await state(app, `${PREFIX}*`);
    // Every session the app created is still there and indexed…
    const missing = created.filter((id) => !after.has(`${PREFIX}${id}`));
    expect(missing).toEqual([]);
    for (let u = 0; u < 300; u++) {
      const idx = after.get(`${PREFIX}user:live${u}`);
      const members = idx ? (JSON.parse(idx) as string[]).filter((_, i) => i % 2 === 0) : [];
      expect(members.sort()).toEqual(created.filter((id) => Number(id.slice(4)) % 300 === u).sort());
    }
    // …and the generated users end exactly as without traffic.
    for (const [k, v] of expected.keys) expect([k, after.get(k)]).toEqual([k, v]);
    expect([...after.keys()].filter((k) => !expected.keys.has(k) && !k.includes('live'))).toEqual([]);
  });

  test('the cleanup user cannot reach keys outside the session prefix and the cache keys', async () => {
    const r = await lab.cli(node, 'cleanup', ['UNLINK', 'other:svc:k']);
    expect(r.stdout).toMatch(/NOPERM/);
  });

  test('one cache cleanup run keeps the most recently used live entries per service and never touches session keys', async () => {
    const data = cacheDataset(5, 6, 60);
    await writeCache(cache, data, TTL);
    // Session keys in the cache DB and in the sessions DB, an unindexed cache entry, an index
    // with a service name outside the contract: all must stay.
    await appCacheDb.set(`${PREFIX}in-cache-db`, 'keep', 'EX', TTL);
    await writeSessions(app, PREFIX, sessionDataset(6, 50), TTL);
    await cache.set('cache:unindexed:k', 'keep');
    await cache.zadd('cache_index:bad service', 1, 'k');
    await sleep(20);
    const sessionsBefore = await state(app, `${PREFIX}*`);
    const expected = expectedCache(data, MAX_CACHE);
    expected.keys.set('cache:unindexed:k', 'keep');
    expected.keys.set('cache_index:bad service', JSON.stringify(['k', '1']));

    const r = await runCache();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipping cache_index:bad service/);
    const s = summary(r.stdout, 'cache-cleanup');
    expect(s).toMatchObject({ services: data.length, evicted: expected.evicted, expired_entries: expected.removed, skipped_indexes: 1 });
    expect(s.evicted).toBeGreaterThan(0);
    expect(await state(cache, 'cache*')).toEqual(expected.keys);
    expect(await appCacheDb.get(`${PREFIX}in-cache-db`)).toBe('keep');
    expect(await state(app, `${PREFIX}*`)).toEqual(sessionsBefore);
    // Idempotent: a second run removes nothing.
    expect(summary((await runCache()).stdout, 'cache-cleanup')).toMatchObject({ removed: 0 });
  });

  test('two cache cleanup runs at the same time give the same result as one', async () => {
    const data = cacheDataset(7, 8, 80);
    await writeCache(cache, data, TTL);
    await sleep(20);
    const [a, b] = await Promise.all([runCache(), runCache()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(await state(cache, 'cache*')).toEqual(expectedCache(data, MAX_CACHE).keys);
    expect(cacheValue('x', 'y')).toBe('value of x y');
  });

  test('a cleanup against a Redis it cannot reach fails loudly', async () => {
    const r = await lab.runJob('session-cleanup', { redisHost: '127.0.20.250', env: { CLI_TIMEOUT_SECONDS: '1' }, timeoutMs: 20000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SCRIPT LOAD/);
  });
});
