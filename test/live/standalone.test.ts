import * as fs from 'fs';
import * as path from 'path';
import { describeWithBinaries } from '../support/binaries';
import { loadDist, renderEnvironment } from '../support/manifests';
import { FAST_SCRIPT_ENV, RedisCluster, fixturePasswords, waitFor, withLogs } from '../support/redis';

jest.setTimeout(60000);

describeWithBinaries(['redis-server', 'redis-cli'], 'the standalone (dev) configuration serves the app user the same way', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);

  beforeAll(async () => {
    cluster = new RedisCluster({ octet: 15, objects: loadDist('dev'), env: FAST_SCRIPT_ENV });
    expect(cluster.sentinels).toHaveLength(0);
    cluster.startAll();
    await waitFor('the standalone node to answer', async () => (await cluster.probe(cluster.redis[0], 'readinessProbe')).code === 0, 30000);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('one master without replicas accepts the app user\'s session writes (no min-replicas-to-write) and refuses admin commands', logged(async () => {
    const [node] = cluster.redis;
    expect(cluster.envOf('REDIS_MODE')).toBe('standalone');
    expect(await cluster.role(node)).toBe('master');
    const app = cluster.direct(node, 'app');
    expect(await app.set('session:dev:1', 'x', 'EX', 60)).toBe('OK');
    expect(await app.get('session:dev:1')).toBe('x');
    await expect(app.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
    await expect(app.call('GET', 'cache:svc:k')).rejects.toThrow(/NOPERM/);
    const unauthenticated = await cluster.cli(node, null, ['PING']);
    expect(unauthenticated.stdout).toMatch(/NOAUTH/);
    for (const probe of ['livenessProbe', 'readinessProbe'] as const) expect((await cluster.probe(node, probe)).code).toBe(0);
  }));

  test('the dev node restarts with the same script and keeps serving', logged(async () => {
    const [node] = cluster.redis;
    await cluster.restart(node);
    await waitFor('the node to answer again', async () => (await cluster.role(node)) === 'master', 20000);
    const app = cluster.direct(node, 'app');
    expect(await app.set('session:dev:2', 'y')).toBe('OK');
  }));
});

describeWithBinaries(['redis-server', 'redis-cli'], 'redis.extraConfig reaches the real redis-server', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);
  // Several lines, a comment, indentation and an override of a generated setting (slowlog-max-len 128).
  const extraConfig = '# tuned for the test\nhz 25\n  slowlog-max-len 256\nmaxmemory 1mb\n';

  beforeAll(async () => {
    cluster = new RedisCluster({ octet: 15, objects: renderEnvironment('dev', { redis: { extraConfig } }), env: FAST_SCRIPT_ENV });
    cluster.startAll();
    await waitFor('the standalone node to answer', async () => (await cluster.probe(cluster.redis[0], 'readinessProbe')).code === 0, 30000);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('its lines apply after the generated settings, and the role settings written by the start script still win', logged(async () => {
    const monitor = cluster.direct(cluster.redis[0], 'monitor');
    const config = async (name: string) => ((await monitor.call('CONFIG', 'GET', name)) as string[])[1];
    expect(await config('hz')).toBe('25');
    expect(await config('slowlog-max-len')).toBe('256');
    // maxmemory comes from redis-master.conf, which redis-start.sh appends after redis.conf.
    expect(await config('maxmemory')).not.toBe(String(1024 * 1024));
  }));
});

describeWithBinaries(['redis-server', 'redis-sentinel', 'redis-cli'], 'redis.sentinel.extraConfig reaches the real redis-sentinel', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);
  // A global directive and a per-master one, which only parses after the master is monitored.
  const extraConfig = '# tuned for the test\nsentinel master-reboot-down-after-period mymaster 4321\n  loglevel verbose\n';

  beforeAll(async () => {
    const objects = renderEnvironment('dev', { redis: { mode: 'sentinel', replicas: 2, sentinel: { extraConfig } } });
    // One master, one replica and one sentinel are enough to see the sentinel load its config.
    cluster = new RedisCluster({ octet: 15, objects, env: FAST_SCRIPT_ENV, replicas: { redis: 2, sentinel: 1 } });
    cluster.startAll();
    await waitFor('the sentinel to monitor the master', async () => (await cluster.sentinelMasters())[0] !== undefined, 30000);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('the lines of the synthesized sentinel-monitor.conf apply on the running sentinel', logged(async () => {
    // The line as the manifests ship it, not as this test wrote it.
    const shipped = cluster.config['sentinel-monitor.conf'].split('\n').find((l) => l.startsWith('sentinel master-reboot-down-after-period'));
    expect(shipped).toBe(`sentinel master-reboot-down-after-period ${cluster.masterName} 4321`);
    const [sentinel] = cluster.sentinels;
    // Sentinel refuses to start on a line it does not know, and at start (a new myid) rewrites its config file
    // from what it holds in memory, dropping sentinel lines it did not apply. (7.0's SENTINEL MASTER does not
    // list this setting.)
    const conf = path.join(sentinel.volumes.data, 'sentinel.conf');
    await waitFor('the sentinel to rewrite its config', async () => /^# Generated by CONFIG REWRITE/m.test(fs.readFileSync(conf, 'utf8')), 10000);
    const rewritten = fs.readFileSync(conf, 'utf8');
    expect(rewritten).toMatch(/^sentinel myid [0-9a-f]{40}$/m);
    expect(rewritten).toMatch(new RegExp(`^sentinel master-reboot-down-after-period ${cluster.masterName} 4321$`, 'm'));
    expect(rewritten).toMatch(/^loglevel verbose$/m);
    // The settings the chart manages still come from the values, and the sentinel answers as usual.
    const fields = (await cluster.ask(sentinel, 'sentinel', 'SENTINEL', 'MASTER', cluster.masterName)).split('\n');
    expect(fields[fields.indexOf('down-after-milliseconds') + 1]).toBe(cluster.config['sentinel-monitor.conf'].match(/down-after-milliseconds \S+ (\d+)/)![1]);
  }));
});

describeWithBinaries(['redis-server', 'redis-sentinel', 'redis-cli'], 'the audit trail and log levels from the values reach the real servers', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);
  const redis = {
    mode: 'sentinel', replicas: 2, logLevel: 'warning', latencyMonitorThresholdMilliseconds: 7, aclLogMaxLength: 33,
    slowlog: { logSlowerThanMicroseconds: 0, maxLength: 50 },
    sentinel: { logLevel: 'debug' },
  };

  beforeAll(async () => {
    const objects = renderEnvironment('dev', { redis });
    cluster = new RedisCluster({ octet: 15, objects, env: FAST_SCRIPT_ENV, replicas: { redis: 2, sentinel: 1 } });
    cluster.startAll();
    await waitFor('the sentinel to monitor the master', async () => (await cluster.sentinelMasters())[0] !== undefined, 30000);
    // The master takes writes once its replica is in sync (min-replicas-to-write).
    for (const node of cluster.redis) {
      await waitFor(`${node.name} to be ready`, async () => (await cluster.probe(node, 'readinessProbe')).code === 0, 30000);
    }
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('redis-server runs with the configured loglevel, slowlog, latency monitor and ACL log length', logged(async () => {
    const monitor = cluster.direct(cluster.redis[0], 'monitor');
    const config = async (name: string) => ((await monitor.call('CONFIG', 'GET', name)) as string[])[1];
    expect({
      loglevel: await config('loglevel'),
      slowerThan: await config('slowlog-log-slower-than'),
      slowlogLength: await config('slowlog-max-len'),
      latency: await config('latency-monitor-threshold'),
      acllog: await config('acllog-max-len'),
    }).toEqual({ loglevel: 'warning', slowerThan: '0', slowlogLength: '50', latency: '7', acllog: '33' });
  }));

  test('the monitor user reads the slow log (every command at 0 µs, passwords redacted) and the latency events, not the ACL LOG', logged(async () => {
    const node = cluster.redis[0];
    const app = cluster.direct(node, 'app');
    await app.set('session:audit:1', 'x', 'EX', 60);
    const monitor = cluster.direct(node, 'monitor');
    const entries = (await monitor.call('SLOWLOG', 'GET', '50')) as unknown[][];
    const commands = entries.map((e) => (e[3] as string[]).join(' '));
    expect(commands.map((c) => c.toLowerCase())).toContain('set session:audit:1 x ex 60');
    expect(commands.filter((c) => /^auth /i.test(c))).toEqual(expect.arrayContaining(['auth (redacted) (redacted)']));
    for (const user of ['app', 'monitor'] as const) expect(commands.join('\n')).not.toContain(cluster.passwords[user]);
    expect(await monitor.call('LATENCY', 'LATEST')).toEqual(expect.any(Array));
    await expect(monitor.call('ACL', 'LOG')).rejects.toThrow(/NOPERM/);
  }));

  test('redis-sentinel runs with its own loglevel', logged(async () => {
    const [sentinel] = cluster.sentinels;
    const conf = path.join(sentinel.volumes.data, 'sentinel.conf');
    await waitFor('the sentinel to rewrite its config', async () => /^# Generated by CONFIG REWRITE/m.test(fs.readFileSync(conf, 'utf8')), 10000);
    expect(fs.readFileSync(conf, 'utf8')).toMatch(/^loglevel debug$/m);
    // Below notice: lines marked "." (debug) or "-" (verbose), e.g. accepted connections, which notice leaves out.
    await waitFor('a debug or verbose line in the sentinel log', async () => /^\d+:X .* [.-] /m.test(fs.readFileSync(sentinel.logFile, 'utf8')), 10000);
  }));
});

describeWithBinaries(['redis-server', 'redis-cli'], 'auth.existingSecretKeys: the real redis-server takes its passwords from the configured keys', () => {
  let cluster: RedisCluster;
  const logged = withLogs(() => cluster);
  const users = ['app', 'cache', 'monitor', 'cleanup', 'backup', 'replication', 'sentinel'] as const;
  const keys = Object.fromEntries(users.map((u) => [u, `corp.${u}`]));

  beforeAll(async () => {
    const objects = renderEnvironment('dev', { auth: { existingSecretKeys: keys } });
    const passwords = fixturePasswords();
    // The Secret holds only the configured keys: a pod reading a default key would find nothing.
    const data = Object.fromEntries(users.map((u) => [keys[u], passwords[u]]));
    cluster = new RedisCluster({ octet: 15, objects, env: FAST_SCRIPT_ENV, passwords, secrets: { 'session-database-auth': data } });
    cluster.startAll();
    await waitFor('the standalone node to answer', async () => (await cluster.probe(cluster.redis[0], 'readinessProbe')).code === 0, 30000);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  test('each user logs in with the password stored under its configured key', logged(async () => {
    const app = cluster.direct(cluster.redis[0], 'app');
    expect(await app.set('session:keys:1', 'x')).toBe('OK');
    expect((await cluster.ask(cluster.redis[0], 'monitor', 'PING'))).toBe('PONG');
    const wrong = await cluster.cli(cluster.redis[0], 'app', ['PING'], { password: 'wrong' }); // pragma: allowlist secret -- a wrong password on purpose
    expect(wrong.stderr).toMatch(/WRONGPASS/);
    expect(wrong.stdout).toMatch(/NOAUTH/);
  }));
});
