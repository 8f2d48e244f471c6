import * as fs from 'fs';
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { AclUser } from '../../src/components/redis/contract';
import { passwordFile } from '../../src/components/secrets/keys';
import { renderEnvironment } from '../support/manifests';
import { CLUSTER_BINARIES, FAST_SCRIPT_ENV, Pod, RedisCluster, settledCluster, fixturePasswords, waitFor, withLogs } from '../support/redis';

jest.setTimeout(90000);

/** disabled = refused by redis.conf before any ACL check (DEBUG: enable-debug-command no). */
type Outcome = 'ok' | 'noperm' | 'denied-auth' | 'readonly' | 'disabled';
/** [user, server kind, command, expected outcome] — run on the live master and sentinel 0. */
type Row = [string, 'redis' | 'sentinel', string[], Outcome];

const OK = 'ok' as const;
const NO = 'noperm' as const;

// Keys: the app's sessions live under the configured prefix (session:), the cache under cache:/cache_index: in DB 1.
const REDIS_MATRIX: Row[] = [
  // default: disabled
  ['default', 'redis', ['PING'], 'denied-auth'],
  // app: session CRUD, no admin, no other keys
  ['app', 'redis', ['PING'], OK],
  ['app', 'redis', ['SET', 'session:acl:a', '1', 'EX', '3600'], OK],
  ['app', 'redis', ['GET', 'session:acl:a'], OK],
  ['app', 'redis', ['EXPIRE', 'session:acl:a', '3600'], OK],
  ['app', 'redis', ['TTL', 'session:acl:a'], OK],
  ['app', 'redis', ['HSET', 'session:acl:h', 'f', 'v'], OK],
  ['app', 'redis', ['ZADD', 'session:acl:idx', '1', 'm'], OK],
  ['app', 'redis', ['ZRANGE', 'session:acl:idx', '0', '-1'], OK],
  ['app', 'redis', ['DEL', 'session:acl:h'], OK],
  ['app', 'redis', ['MULTI'], OK],
  ['app', 'redis', ['WAIT', '1', '100'], OK],
  ['app', 'redis', ['INFO', 'replication'], OK],
  ['app', 'redis', ['ROLE'], OK],
  ['app', 'redis', ['GET', 'cache:svc:k'], NO],
  ['app', 'redis', ['SET', 'other:k', '1'], NO],
  ['app', 'redis', ['FLUSHALL'], NO],
  ['app', 'redis', ['FLUSHDB'], NO],
  ['app', 'redis', ['CONFIG', 'GET', 'maxmemory'], NO],
  ['app', 'redis', ['CONFIG', 'SET', 'maxmemory', '1'], NO],
  ['app', 'redis', ['KEYS', '*'], NO],
  ['app', 'redis', ['DEBUG', 'SLEEP', '0'], 'disabled'],
  ['app', 'redis', ['CLIENT', 'PAUSE', '10'], NO],
  ['app', 'redis', ['CLIENT', 'NO-EVICT', 'on'], NO],
  ['app', 'redis', ['SHUTDOWN', 'NOSAVE'], NO],
  ['app', 'redis', ['ACL', 'LIST'], NO],
  ['app', 'redis', ['ACL', 'SETUSER', 'x'], NO],
  ['app', 'redis', ['CLIENT', 'LIST'], NO],
  ['app', 'redis', ['CLIENT', 'KILL', 'TYPE', 'normal'], NO],
  ['app', 'redis', ['MONITOR'], NO],
  ['app', 'redis', ['REPLICAOF', 'NO', 'ONE'], NO],
  ['app', 'redis', ['BGSAVE'], NO],
  ['app', 'redis', ['SWAPDB', '0', '1'], NO],
  ['app', 'redis', ['EVAL', 'return 1', '0'], NO],
  ['app', 'redis', ['SORT', 'session:acl:idx'], NO],
  ['app', 'redis', ['PUBLISH', 'ch', 'x'], NO],
  // cache: cache keys only
  ['cache', 'redis', ['SELECT', '1'], OK],
  ['cache', 'redis', ['SET', 'cache:svc:k', 'v', 'EX', '60'], OK],
  ['cache', 'redis', ['GET', 'cache:svc:k'], OK],
  ['cache', 'redis', ['ZADD', 'cache_index:svc', '1', 'k'], OK],
  ['cache', 'redis', ['GET', 'session:acl:a'], NO],
  ['cache', 'redis', ['SET', 'session:acl:a', 'x'], NO],
  ['cache', 'redis', ['FLUSHDB'], NO],
  ['cache', 'redis', ['FLUSHALL'], NO],
  ['cache', 'redis', ['KEYS', '*'], NO],
  ['cache', 'redis', ['CONFIG', 'GET', 'maxmemory'], NO],
  ['cache', 'redis', ['ACL', 'LIST'], NO],
  ['cache', 'redis', ['SHUTDOWN', 'NOSAVE'], NO],
  ['cache', 'redis', ['CLIENT', 'KILL', 'TYPE', 'normal'], NO],
  // no scripting by default (auth.cacheUserScripting: false)
  ['cache', 'redis', ['SCRIPT', 'LOAD', 'return 1'], NO],
  ['cache', 'redis', ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'], NO], // pragma: allowlist secret -- a script SHA1, not a secret
  ['cache', 'redis', ['EVAL', 'return 1', '0'], NO],
  // monitor: what redis_exporter reads, nothing else
  ['monitor', 'redis', ['PING'], OK],
  ['monitor', 'redis', ['INFO', 'all'], OK],
  ['monitor', 'redis', ['CONFIG', 'GET', 'maxmemory'], OK],
  ['monitor', 'redis', ['CLIENT', 'LIST'], OK],
  ['monitor', 'redis', ['SLOWLOG', 'GET', '10'], OK],
  ['monitor', 'redis', ['SLOWLOG', 'LEN'], OK],
  ['monitor', 'redis', ['LATENCY', 'LATEST'], OK],
  ['monitor', 'redis', ['DBSIZE'], OK],
  ['monitor', 'redis', ['MEMORY', 'STATS'], OK],
  ['monitor', 'redis', ['ROLE'], OK],
  ['monitor', 'redis', ['GET', 'session:acl:a'], NO],
  ['monitor', 'redis', ['SET', 'session:acl:m', '1'], NO],
  ['monitor', 'redis', ['DEL', 'session:acl:a'], NO],
  ['monitor', 'redis', ['CONFIG', 'SET', 'maxmemory', '1'], NO],
  ['monitor', 'redis', ['SLOWLOG', 'RESET'], NO],
  ['monitor', 'redis', ['CLIENT', 'KILL', 'TYPE', 'normal'], NO],
  ['monitor', 'redis', ['CLIENT', 'PAUSE', '10'], NO],
  ['monitor', 'redis', ['FLUSHALL'], NO],
  ['monitor', 'redis', ['KEYS', '*'], NO],
  ['monitor', 'redis', ['ACL', 'LIST'], NO],
  // cleanup: scan and trim session keys…
  ['cleanup', 'redis', ['SCAN', '0', 'MATCH', 'session:*', 'COUNT', '100'], OK],
  ['cleanup', 'redis', ['ZRANGE', 'session:acl:idx', '0', '-1'], OK],
  ['cleanup', 'redis', ['ZREM', 'session:acl:idx', 'm'], OK],
  ['cleanup', 'redis', ['TTL', 'session:acl:a'], OK],
  ['cleanup', 'redis', ['UNLINK', 'session:acl:gone'], OK],
  // …and the cache keys, for the cache cleanup CronJob (the cache user runs no Lua)
  ['cleanup', 'redis', ['UNLINK', 'cache:svc:gone'], OK],
  ['cleanup', 'redis', ['ZRANGE', 'cache_index:svc', '0', '-1'], OK],
  ['cleanup', 'redis', ['ZREM', 'cache_index:svc', 'gone'], OK],
  ['cleanup', 'redis', ['SCRIPT', 'LOAD', 'return 1'], OK],
  ['cleanup', 'redis', ['UNLINK', 'other:svc:k'], NO],
  ['cleanup', 'redis', ['SET', 'session:acl:a', 'x'], NO],
  ['cleanup', 'redis', ['FLUSHDB'], NO],
  ['cleanup', 'redis', ['KEYS', '*'], NO],
  ['cleanup', 'redis', ['CONFIG', 'GET', 'maxmemory'], NO],
  ['cleanup', 'redis', ['SHUTDOWN', 'NOSAVE'], NO],
  ['cleanup', 'redis', ['ACL', 'LIST'], NO],
  ['cleanup', 'redis', ['CLIENT', 'KILL', 'TYPE', 'normal'], NO],
  ['cleanup', 'redis', ['CLIENT', 'PAUSE', '10'], NO],
  // backup: replication-level read for redis-cli --rdb (tested below), nothing else
  ['backup', 'redis', ['PING'], OK],
  ['backup', 'redis', ['GET', 'session:acl:a'], NO],
  ['backup', 'redis', ['SET', 'session:acl:b', '1'], NO],
  ['backup', 'redis', ['KEYS', '*'], NO],
  ['backup', 'redis', ['CONFIG', 'GET', 'dir'], NO],
  ['backup', 'redis', ['INFO'], NO],
  ['backup', 'redis', ['PSYNC', '?', '-1'], NO],
  ['backup', 'redis', ['FLUSHALL'], NO],
  // replication: what a replica sends, nothing else
  ['replication', 'redis', ['PING'], OK],
  ['replication', 'redis', ['REPLCONF', 'listening-port', '6380'], OK],
  ['replication', 'redis', ['GET', 'session:acl:a'], NO],
  ['replication', 'redis', ['SET', 'session:acl:r', '1'], NO],
  ['replication', 'redis', ['INFO'], NO],
  ['replication', 'redis', ['SYNC'], NO],
  ['replication', 'redis', ['CONFIG', 'GET', 'dir'], NO],
  ['replication', 'redis', ['FLUSHALL'], NO],
  // sentinel: monitoring and reconfiguring Redis, no data
  ['sentinel', 'redis', ['PING'], OK],
  ['sentinel', 'redis', ['INFO'], OK],
  ['sentinel', 'redis', ['ROLE'], OK],
  ['sentinel', 'redis', ['CLIENT', 'SETNAME', 'probe'], OK],
  ['sentinel', 'redis', ['PUBLISH', '__sentinel__:hello', 'x'], OK],
  ['sentinel', 'redis', ['CONFIG', 'REWRITE'], OK],
  ['sentinel', 'redis', ['PUBLISH', 'other', 'x'], NO],
  ['sentinel', 'redis', ['GET', 'session:acl:a'], NO],
  ['sentinel', 'redis', ['SET', 'session:acl:s', '1'], NO],
  ['sentinel', 'redis', ['CONFIG', 'GET', 'dir'], NO],
  ['sentinel', 'redis', ['CONFIG', 'SET', 'dir', '/tmp'], NO],
  ['sentinel', 'redis', ['KEYS', '*'], NO],
  ['sentinel', 'redis', ['FLUSHALL'], NO],
  ['sentinel', 'redis', ['DEBUG', 'SLEEP', '0'], 'disabled'],
  ['sentinel', 'redis', ['ACL', 'LIST'], NO],
  ['sentinel', 'redis', ['SHUTDOWN', 'NOSAVE'], NO],
];

const SENTINEL_MATRIX: Row[] = [
  ['default', 'sentinel', ['PING'], 'denied-auth'],
  // Users only the Redis nodes know cannot log in to a sentinel.
  ['cache', 'sentinel', ['PING'], 'denied-auth'],
  ['cleanup', 'sentinel', ['PING'], 'denied-auth'],
  ['backup', 'sentinel', ['PING'], 'denied-auth'],
  ['replication', 'sentinel', ['PING'], 'denied-auth'],
  // app: discover the master, follow switch-master, nothing else
  ['app', 'sentinel', ['PING'], OK],
  ['app', 'sentinel', ['SENTINEL', 'get-master-addr-by-name', 'MASTER'], OK],
  ['app', 'sentinel', ['SENTINEL', 'sentinels', 'MASTER'], OK],
  ['app', 'sentinel', ['SENTINEL', 'replicas', 'MASTER'], OK],
  ['app', 'sentinel', ['SUBSCRIBE', '+switch-master'], OK],
  ['app', 'sentinel', ['SENTINEL', 'failover', 'MASTER'], NO],
  ['app', 'sentinel', ['SENTINEL', 'set', 'MASTER', 'quorum', '1'], NO],
  ['app', 'sentinel', ['SENTINEL', 'reset', '*'], NO],
  ['app', 'sentinel', ['SENTINEL', 'remove', 'MASTER'], NO],
  ['app', 'sentinel', ['SENTINEL', 'monitor', 'x', '127.0.0.1', '6379', '2'], NO],
  ['app', 'sentinel', ['SENTINEL', 'config', 'set', 'resolve-hostnames', 'no'], NO],
  ['app', 'sentinel', ['INFO'], NO],
  ['app', 'sentinel', ['ACL', 'LIST'], NO],
  ['app', 'sentinel', ['SHUTDOWN'], NO],
  // monitor: read-only
  ['monitor', 'sentinel', ['PING'], OK],
  ['monitor', 'sentinel', ['INFO'], OK],
  ['monitor', 'sentinel', ['SENTINEL', 'masters'], OK],
  ['monitor', 'sentinel', ['SENTINEL', 'ckquorum', 'MASTER'], OK],
  ['monitor', 'sentinel', ['SENTINEL', 'get-master-addr-by-name', 'MASTER'], OK],
  ['monitor', 'sentinel', ['SENTINEL', 'failover', 'MASTER'], NO],
  ['monitor', 'sentinel', ['SENTINEL', 'set', 'MASTER', 'quorum', '1'], NO],
  ['monitor', 'sentinel', ['SENTINEL', 'reset', '*'], NO],
  ['monitor', 'sentinel', ['SENTINEL', 'remove', 'MASTER'], NO],
  ['monitor', 'sentinel', ['ACL', 'LIST'], NO],
  ['monitor', 'sentinel', ['SHUTDOWN'], NO],
  // sentinel: the peers' and the scripts' user
  ['sentinel', 'sentinel', ['PING'], OK],
  ['sentinel', 'sentinel', ['SENTINEL', 'masters'], OK],
  ['sentinel', 'sentinel', ['SENTINEL', 'ckquorum', 'MASTER'], OK],
  ['sentinel', 'sentinel', ['SENTINEL', 'get-master-addr-by-name', 'MASTER'], OK],
];

/** Users an ACL file of the manifest defines. */
function aclUsers(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('user '))
    .map((l) => l.split(' ')[1]);
}

describeWithBinaries(CLUSTER_BINARIES, 'every ACL user of the generated files can do exactly its job on live servers', () => {
  let cluster: RedisCluster;
  const logged = settledCluster({ octet: 13, env: FAST_SCRIPT_ENV }, (c) => (cluster = c));

  async function outcome(pod: Pod, user: string, args: string[]): Promise<Outcome | string> {
    const cmd = args.map((a) => (a === 'MASTER' ? cluster.masterName : a));
    // --no-raw keeps error replies recognisable; redis-cli exits 0 on error replies.
    const r = await cluster.cli(pod, user as AclUser | 'default', ['--no-raw', ...cmd], { timeoutMs: cmd[0] === 'SUBSCRIBE' ? 1000 : 3000 });
    const out = (r.stdout + r.stderr).trim();
    // redis-cli prints most error replies as "(error) X", verbatim ones (INFO, CLIENT LIST) as "X",
    // and a refused SYNC/PSYNC as "SYNC with master failed: -X".
    const first = out.split('\n')[0].replace(/^\(error\) /, '');
    const error = /^(Entering replica output mode|Reading messages)/.test(first) ? (/failed: -(.*)/.exec(out)?.[1] ?? '') : first;
    if (/WRONGPASS|AUTH failed|NOAUTH/.test(r.stderr) || /^(NOAUTH|WRONGPASS)/.test(error)) return 'denied-auth';
    if (/^NOPERM/.test(error)) return 'noperm';
    if (/^READONLY/.test(error)) return 'readonly';
    if (/^ERR DEBUG command not allowed/.test(error)) return 'disabled';
    // SUBSCRIBE keeps the connection open until the timeout: the confirmation shows it was accepted.
    if (cmd[0] === 'SUBSCRIBE' && /1\) "subscribe"/.test(out)) return 'ok';
    if (r.code === 0 && !/^(ERR|NOPERM|WRONGPASS|NOAUTH)/.test(error)) return 'ok';
    return `code ${r.code}: ${out.slice(0, 200)}`;
  }

  test('the matrix covers every user of users.acl and sentinel-users.acl', () => {
    expect(new Set(REDIS_MATRIX.map((r) => r[0]))).toEqual(new Set(aclUsers(cluster.config['users.acl'])));
    expect(new Set(SENTINEL_MATRIX.filter((r) => r[3] !== 'denied-auth' || r[0] === 'default').map((r) => r[0]))).toEqual(new Set(aclUsers(cluster.config['sentinel-users.acl'])));
  });

  test('each user succeeds and fails (NOPERM) exactly as the matrix says, on the master and on a sentinel', logged(async () => {
    const master = await cluster.waitSettled();
    const cacheDb = '1'; // redis.databases.cache (production uses the default)
    const table: string[] = [];
    const wrong: string[] = [];
    for (const [user, kind, args, expected] of [...REDIS_MATRIX, ...SENTINEL_MATRIX]) {
      const pod = kind === 'redis' ? master : cluster.sentinels[0];
      // cache keys live in the cache DB (redis-cli -n selects it).
      const got = await outcome(pod, user, user === 'cache' && kind === 'redis' && args[0] !== 'SELECT' ? ['-n', cacheDb, ...args] : args);
      table.push(`${user.padEnd(11)} ${kind.padEnd(8)} ${args.join(' ').padEnd(48)} ${got}`);
      if (got !== expected) wrong.push(`${user} on ${kind}: ${args.join(' ')} → ${got}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
    expect(table.join('\n')).toMatchSnapshot();
  }));

  test('replicas replicate as the replication user and the sentinels connect as the sentinel user', logged(async () => {
    const master = await cluster.waitSettled();
    const clients = (await cluster.ask(master, 'monitor', 'CLIENT', 'LIST')).split('\n');
    const replicaLinks = clients.filter((l) => / flags=S /.test(l));
    expect(replicaLinks).toHaveLength(cluster.redis.length - 1);
    for (const l of replicaLinks) expect(l).toMatch(/ user=replication /);
    const sentinelLinks = clients.filter((l) => / name=sentinel-/.test(l));
    expect(sentinelLinks.length).toBeGreaterThanOrEqual(cluster.sentinels.length * 2);
    for (const l of sentinelLinks) expect(l).toMatch(/ user=sentinel /);
    // The sentinels talk to each other as the sentinel user.
    const peers = (await cluster.ask(cluster.sentinels[0], 'sentinel', 'CLIENT', 'LIST')).split('\n').filter((l) => / name=sentinel-/.test(l));
    expect(peers.length).toBeGreaterThan(0);
    for (const l of peers) expect(l).toMatch(/ user=sentinel /);
  }));

  test('the backup user can take an RDB snapshot with redis-cli --rdb from the master and from a replica', logged(async () => {
    const master = await cluster.waitSettled();
    await cluster.ask(master, 'app', 'SET', 'session:acl:backup', 'in-the-snapshot');
    await cluster.ask(master, 'app', 'WAIT', '2', '2000');
    for (const pod of [master, cluster.redis.find((p) => p !== master)!]) {
      const file = path.join(cluster.root, `${pod.name}-backup.rdb`);
      const r = await cluster.cli(pod, 'backup', ['--rdb', file], { timeoutMs: 20000 });
      expect({ pod: pod.name, code: r.code, err: r.stderr }).toMatchObject({ pod: pod.name, code: 0 });
      const rdb = fs.readFileSync(file);
      expect(rdb.subarray(0, 5).toString()).toBe('REDIS');
      expect(rdb.includes(Buffer.from('session:acl:backup'))).toBe(true);
    }
  }));
});

describeWithBinaries(['redis-server', 'redis-cli'], 'ACL values (redis.disableCommands, auth.cacheUserScripting) take effect on the real redis-server', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);
  const values = { redis: { disableCommands: ['SCAN', 'client|list', 'EXPIRE'] }, auth: { cacheUserScripting: true } };

  beforeAll(async () => {
    cluster = new RedisCluster({ octet: 13, objects: renderEnvironment('dev', values), env: FAST_SCRIPT_ENV });
    cluster.startAll();
    await waitFor('the standalone node to answer', async () => (await cluster.probe(cluster.redis[0], 'readinessProbe')).code === 0, 30000);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  const reply = async (user: AclUser, args: string[]) => {
    const r = await cluster.cli(cluster.redis[0], user, ['--no-raw', ...args]);
    return (r.stdout + r.stderr).trim().split('\n')[0];
  };

  test('the synthesized users.acl ends the application users with the disabled commands', () => {
    const acl = cluster.config['users.acl'].split('\n');
    expect(acl.find((l) => l.startsWith('user app '))).toMatch(/ -scan -client\|list -expire$/);
    expect(acl.find((l) => l.startsWith('user cache '))).toMatch(/ \+evalsha \+script\|load -scan -client\|list -expire$/);
    expect(acl.find((l) => l.startsWith('user cleanup '))).not.toMatch(/-scan/);
  });

  test('the disabled commands are refused to app and cache, and other users keep them', logged(async () => {
    for (const user of ['app', 'cache'] as const) {
      const key = user === 'app' ? 'session:acl:x' : 'cache:svc:x';
      expect(await reply(user, ['SET', key, '1'])).toBe('OK');
      expect(await reply(user, ['SCAN', '0'])).toMatch(/NOPERM/);
      expect(await reply(user, ['EXPIRE', key, '60'])).toMatch(/NOPERM/);
      expect(await reply(user, ['GET', key])).toBe('"1"');
    }
    // Without the disabled subcommand the app user could still not list clients (-@dangerous); the monitor user can.
    expect(await reply('monitor', ['CLIENT', 'LIST'])).toMatch(/^id=/);
    expect(await reply('cleanup', ['SCAN', '0'])).toMatch(/^1\) /);
  }));

  test('with auth.cacheUserScripting the cache user loads and runs a script on its own keys only', logged(async () => {
    const sha = (await reply('cache', ['SCRIPT', 'LOAD', "return redis.call('GET', KEYS[1])"])).replace(/"/g, '');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await reply('cache', ['EVALSHA', sha, '1', 'cache:svc:x'])).toBe('"1"');
    expect(await reply('cache', ['EVALSHA', sha, '1', 'session:acl:x'])).toMatch(/NOPERM|No permissions/);
    expect(await reply('app', ['SCRIPT', 'LOAD', 'return 1'])).toMatch(/NOPERM/);
  }));
});

describeWithBinaries(['redis-server', 'redis-cli'], 'auth.extraUsers from the synthesized users.acl on the real redis-server', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);
  const extraUsers = [
    { name: 'reports', passwordKey: 'reports.password', rules: '~reports:* +@read +ping' },
    { name: 'writer', passwordKey: 'writer-pw', rules: '~jobs:* +@write +@read +flushall' },
  ];
  const secret = { 'reports.password': 'reports-fixture-pw', 'writer-pw': 'writer-fixture-pw' }; // pragma: allowlist secret -- test fixture

  beforeAll(async () => {
    const objects = renderEnvironment('dev', { auth: { extraUsers }, redis: { disableCommands: ['DEL'] } });
    const passwords = fixturePasswords();
    const data = { ...Object.fromEntries(Object.entries(passwords).map(([u, p]) => [passwordFile(u), p])), ...secret };
    cluster = new RedisCluster({ octet: 13, objects, env: FAST_SCRIPT_ENV, passwords, secrets: { 'session-database-auth': data } });
    cluster.startAll();
    await waitFor('the standalone node to answer', async () => (await cluster.probe(cluster.redis[0], 'readinessProbe')).code === 0, 30000);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  const as = async (user: string, password: string, args: string[]) => {
    const r = await cluster.cli(cluster.redis[0], user as AclUser, ['--no-raw', ...args], { password });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0].replace(/^\(error\) /, '');
  };

  test('the synthesized file has each extra user with its password key; the pod hashes it from the auth Secret', logged(() => {
    const lines = cluster.config['users.acl'].split('\n').filter((l) => /^user (reports|writer) /.test(l));
    expect(lines).toEqual([
      'user reports on %PASSWORD_KEY:reports.password% resetkeys resetchannels nocommands ~reports:* +@read +ping -@dangerous -flushall -flushdb -keys -del',
      'user writer on %PASSWORD_KEY:writer-pw% resetkeys resetchannels nocommands ~jobs:* +@write +@read +flushall -@dangerous -flushall -flushdb -keys -del',
    ]);
    return Promise.resolve();
  }));

  test('each extra user logs in with its password and can do exactly what its rules and the taken-back commands leave', logged(async () => {
    const writer = (args: string[]) => as('writer', secret['writer-pw'], args);
    const reports = (args: string[]) => as('reports', secret['reports.password'], args);
    expect(await writer(['SET', 'jobs:1', 'x'])).toBe('OK');
    expect(await writer(['SET', 'session:x', 'x'])).toMatch(/^NOPERM/);
    expect(await writer(['FLUSHALL'])).toMatch(/^NOPERM/); // +flushall in its rules, taken back after them
    expect(await writer(['DEL', 'jobs:1'])).toMatch(/^NOPERM/); // redis.disableCommands
    expect(await writer(['CONFIG', 'GET', 'maxmemory'])).toMatch(/^NOPERM/);
    expect(await reports(['PING'])).toBe('PONG');
    expect(await reports(['GET', 'reports:1'])).toBe('(nil)');
    expect(await reports(['SET', 'reports:1', 'x'])).toMatch(/^NOPERM/);
    expect(await reports(['GET', 'jobs:1'])).toMatch(/^NOPERM/);
    expect(await reports(['KEYS', '*'])).toMatch(/^NOPERM/);
    // Wrong password, and the other user's password, are refused.
    expect(await as('reports', 'wrong', ['PING'])).toMatch(/WRONGPASS|NOAUTH/);
    expect(await as('reports', secret['writer-pw'], ['PING'])).toMatch(/WRONGPASS|NOAUTH/);
    // The built-in users are untouched.
    expect(await as('app', cluster.passwords.app, ['SET', 'session:acl:y', '1'])).toBe('OK');
  }));
});
