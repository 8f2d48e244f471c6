import { describeWithBinaries } from '../support/binaries';
import { loadDist } from '../support/manifests';
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
