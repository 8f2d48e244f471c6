import { describeWithBinaries } from '../support/binaries';
import { loadDist, renderEnvironment } from '../support/manifests';
import { FAST_SCRIPT_ENV, RedisCluster, waitFor, withLogs } from '../support/redis';

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
